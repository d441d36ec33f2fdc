import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppHeader } from "#app/components/app-header";
import { FlowList } from "#app/components/flow-list";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const flows = await context.trpc.flow.list();
  return { me, teams, flows };
}

export default function Dashboard() {
  const { me, teams, flows } = useLoaderData<typeof loader>();
  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl px-4 py-8">
        <FlowList flows={flows} canEdit={me.team?.role !== "viewer"} />
      </main>
    </div>
  );
}
