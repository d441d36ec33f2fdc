import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { AppHeader } from "#app/components/app-header";
import { requireViewer } from "#app/lib/require-viewer.server";

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

/** The flow page: for now its name and a summary of the saved graph (the canvas comes next). */
export default function FlowPage() {
  const { me, teams, flow } = useLoaderData<typeof loader>();
  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl px-4 py-8">
        <Link to="/" className="text-sm text-brand-600 underline">
          ← All flows
        </Link>
        <h1 className="mt-3 text-2xl font-semibold" data-testid="flow-name">
          {flow.name}
        </h1>
        {flow.description && <p className="mt-1 text-slate-600">{flow.description}</p>}
        <dl className="mt-6 grid max-w-md grid-cols-2 gap-y-2 text-sm">
          <dt className="text-slate-500">Blocks</dt>
          <dd data-testid="flow-node-count">{flow.summary.nodes}</dd>
          <dt className="text-slate-500">Connections</dt>
          <dd>{flow.summary.edges}</dd>
          <dt className="text-slate-500">Revision</dt>
          <dd>{flow.revision}</dd>
        </dl>
        {Object.keys(flow.summary.byType).length > 0 && (
          <ul className="mt-4 text-sm text-slate-600">
            {Object.entries(flow.summary.byType).map(([type, count]) => (
              <li key={type}>
                <code>{type}</code> × {count}
              </li>
            ))}
          </ul>
        )}
      </main>
    </div>
  );
}
