import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import flowStyles from "@xyflow/react/dist/style.css?url";
import canvasStyles from "#app/components/canvas/canvas.css?url";
import { AppHeader } from "#app/components/app-header";
import { FlowEditor } from "#app/components/canvas/flow-editor";
import { SaveAsTemplateButton } from "#app/components/templates/save-template-dialog";
import { fromWire } from "#app/lib/graph-store/edits";
import { requireViewer } from "#app/lib/require-viewer.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: flowStyles },
  { rel: "stylesheet", href: canvasStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.flow.name ?? "Flow"} · Skyloom` }];

export async function loader({ context, params }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  try {
    const flow = await context.trpc.flow.get({ id: params.id ?? "" });
    return { me, teams, flow };
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) {
      throw new Response("This flow does not exist in your current team.", { status: 404, statusText: "Not Found" });
    }
    throw error;
  }
}

/** The flow editor: palette, canvas and panels, filling the window under the app header. */
export default function FlowPage() {
  const { me, teams, flow } = useLoaderData<typeof loader>();
  return (
    <div className="flex h-screen flex-col overflow-hidden">
      <AppHeader me={me} teams={teams} />
      <FlowEditor
        // A new flow id (or a team switch that reloads it) starts a fresh editor and history.
        key={flow.id}
        flow={{ id: flow.id, name: flow.name, graph: fromWire(flow.graph), revision: flow.revision, canEdit: flow.canEdit }}
        toolbarExtra={flow.canEdit ? <SaveAsTemplateButton isAdmin={me.team?.role === "admin" || me.team?.role === "owner"} /> : null}
      />
    </div>
  );
}
