import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useQuery } from "@tanstack/react-query";
import { Plus } from "lucide-react";
import { AppHeader } from "#app/components/app-header";
import { StatusBadge } from "#app/components/marketplace/status-badge";
import { requireViewer } from "#app/lib/require-viewer.server";
import { formatSpon } from "#app/lib/spon";
import { useTRPC } from "#app/lib/trpc";

export const meta: MetaFunction = () => [{ title: "Endpoints · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const endpoints = me.team ? await context.trpc.endpoint.list() : [];
  return { me, teams, endpoints, canEdit: me.team !== null && me.team.role !== "viewer" };
}

/** The team's model endpoints: each is a model on the compute marketplace, called at /v1 by its slug. */
export default function EndpointsPage() {
  const { me, teams, endpoints: initial, canEdit } = useLoaderData<typeof loader>();
  const trpc = useTRPC();
  // Statuses change on their own (ordering → ready, asleep): refresh while the page is open.
  const { data: endpoints = initial } = useQuery({ ...trpc.endpoint.list.queryOptions(), initialData: initial, refetchInterval: 3_000 });
  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl space-y-4 px-4 py-8">
        <div className="flex items-center justify-between gap-4">
          <h1 className="text-2xl font-semibold">Endpoints</h1>
          {canEdit && (
            <Link to="/endpoints/new" className="inline-flex items-center gap-2 rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700">
              <Plus size={16} aria-hidden /> New endpoint
            </Link>
          )}
        </div>
        <p className="text-sm text-slate-600">
          A model from the catalog, run by a node of the compute marketplace and called with any OpenAI client at <code>/v1</code> with an{" "}
          <Link to="/settings/api-keys" className="text-brand-600 underline">
            API key
          </Link>
          .
        </p>
        {endpoints.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="endpoints-empty">
            No endpoints yet. {canEdit ? "Create one to serve a model in a few seconds." : ""}
          </p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-md border border-slate-200 bg-white" data-testid="endpoint-list">
            {endpoints.map((e) => (
              <li key={e.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-3 text-sm" data-testid="endpoint-row">
                <div className="min-w-0">
                  <Link to={`/endpoints/${e.id}`} className="font-mono font-medium text-brand-700 underline">
                    {e.slug}
                  </Link>
                  <span className="ml-2 text-slate-600">
                    {e.modelTitle}
                    {e.node ? ` · ${e.node.name} (${e.node.region})` : ""}
                    {e.price ? ` · ${formatSpon(e.price.sponPerHour, "SPON/h")}` : ""}
                  </span>
                </div>
                <StatusBadge status={e.status} />
              </li>
            ))}
          </ul>
        )}
      </main>
    </div>
  );
}
