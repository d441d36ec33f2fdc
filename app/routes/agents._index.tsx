import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AppHeader } from "#app/components/app-header";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction = () => [{ title: "Published agents · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const agents = await context.trpc.agent.list();
  return { me, teams, agents };
}

/** The team's published agents: each is a `model` on the OpenAI-compatible API. */
export default function AgentsPage() {
  const { me, teams, agents } = useLoaderData<typeof loader>();
  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl space-y-4 px-4 py-8">
        <h1 className="text-2xl font-semibold">Published agents</h1>
        <p className="text-sm text-slate-600">
          Call them with any OpenAI client at <code>/v1</code> using an <Link to="/settings/api-keys" className="text-brand-600 underline">API key</Link>; publish a flow from its editor (“Use it”).
        </p>
        {agents.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="agents-empty">
            Nothing published yet. Open a flow from your{" "}
            <Link to="/" className="text-brand-600 underline">
              flows
            </Link>{" "}
            and use its “Use it” tab to publish it.
          </p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-md border border-slate-200 bg-white" data-testid="agent-list">
            {agents.map((a) => (
              <li key={a.id} className="flex items-center justify-between px-4 py-3 text-sm">
                <div>
                  <Link to={`/agents/${a.slug}`} className="font-mono font-medium text-brand-700 underline">
                    {a.slug}
                  </Link>
                  <span className="ml-2 text-slate-600">
                    {a.flowName} · version {a.versionNumber}
                  </span>
                </div>
                <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${a.status === "active" ? "bg-green-100 text-green-800" : "bg-slate-200 text-slate-700"}`}>
                  {a.status === "active" ? "Live" : "Unpublished"}
                </span>
              </li>
            ))}
          </ul>
        )}
      </main>
    </div>
  );
}
