import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppHeader } from "#app/components/app-header";
import { FlowList } from "#app/components/flow-list";
import { FeaturedTemplates } from "#app/components/templates/featured-templates";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const flows = await context.trpc.flow.list();
  // A team with no flows yet is offered templates to start from.
  const featured = flows.length === 0 ? await context.trpc.template.featured() : [];
  return { me, teams, flows, featured };
}

export default function Dashboard() {
  const { me, teams, flows, featured } = useLoaderData<typeof loader>();
  const canEdit = me.team?.role !== "viewer";
  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl px-4 py-8">
        <FlowList flows={flows} canEdit={canEdit} />
        {flows.length === 0 && <FeaturedTemplates templates={featured} canUse={canEdit} teamName={me.team?.name ?? "this team"} />}
      </main>
    </div>
  );
}
