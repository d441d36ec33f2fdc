import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { AppHeader } from "#app/components/app-header";
import { toolFailureNote } from "#app/components/chat/trace";
import { UsageCharts } from "#app/components/publish/usage-chart";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.agent.slug ?? "Agent"} · Skyloom` }];

const STATUSES = ["succeeded", "failed", "cancelled", "timed_out", "running"] as const;
type Status = (typeof STATUSES)[number];
const PERIODS = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
type Period = keyof typeof PERIODS;

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  const search = new URL(request.url).searchParams;
  let agent;
  try {
    agent = await context.trpc.agent.bySlug({ slug: params.slug ?? "" });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) {
      throw new Response("No published agent with this name in your current team.", { status: 404, statusText: "Not Found" });
    }
    throw error;
  }
  const status = STATUSES.find((s) => s === search.get("status")) as Status | undefined;
  const period = (Object.keys(PERIODS) as Period[]).find((p) => p === search.get("period"));
  const apiKeyId = search.get("key") || undefined;
  const before = Number(search.get("before")) || undefined;
  const [history, usage, keys] = await Promise.all([
    context.trpc.agent.runs({
      id: agent.id,
      ...(status ? { status } : {}),
      ...(apiKeyId ? { apiKeyId } : {}),
      ...(period ? { from: Date.now() - PERIODS[period] } : {}),
      ...(before ? { before } : {}),
      limit: 50,
    }),
    context.trpc.agent.usage({ id: agent.id, days: 14 }),
    context.trpc.apiKey.list(),
  ]);
  return { me, teams, agent, history, usage, keys };
}

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

const STATUS_STYLE: Record<string, string> = {
  succeeded: "bg-green-100 text-green-800",
  failed: "bg-red-100 text-red-800",
  timed_out: "bg-amber-100 text-amber-800",
  cancelled: "bg-slate-200 text-slate-700",
  running: "bg-sky-100 text-sky-800",
};

/** A published agent: where it is served, its usage per day and its run history with filters. */
export default function AgentPage() {
  const { me, teams, agent, history, usage, keys } = useLoaderData<typeof loader>();
  const [search] = useSearchParams();
  const totals = usage.reduce((t, d) => ({ requests: t.requests + d.requests, errors: t.errors + d.errors, tokens: t.tokens + d.promptTokens + d.completionTokens }), { requests: 0, errors: 0, tokens: 0 });
  // Only keys that can call this agent can have runs here (revoked ones may have old runs).
  const keysOfAgent = keys.filter((k) => !k.allowedAgents || k.allowedAgents.includes(agent.id));
  const filtered = ["status", "period", "key", "before"].some((name) => search.get(name));
  const nextPage = new URLSearchParams(search);
  if (history.nextBefore) nextPage.set("before", String(history.nextBefore));

  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl space-y-8 px-4 py-8">
        <div>
          <Link to="/agents" className="text-sm text-brand-600 underline">
            ← Published agents
          </Link>
          <h1 className="mt-2 flex items-center gap-3 text-2xl font-semibold">
            <span data-testid="agent-slug">{agent.slug}</span>
            <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${agent.status === "active" ? "bg-green-100 text-green-800" : "bg-slate-200 text-slate-700"}`}>
              {agent.status === "active" ? "Live" : "Unpublished"}
            </span>
          </h1>
          <p className="mt-1 text-sm text-slate-600" data-testid="agent-version">
            Flow <Link to={`/flows/${agent.flowId}`} className="text-brand-600 underline">{agent.flowName}</Link>,{" "}
            {agent.status === "active" ? "serving" : "not serving (unpublished); last published"} version {agent.versionNumber} ({agent.versionMessage}).
            Publish, unpublish and get client code in the flow&apos;s “Use it” tab.
          </p>
        </div>

        <section className="space-y-3">
          <h2 className="font-semibold">Usage, last 14 days</h2>
          <p className="text-sm text-slate-600" data-testid="usage-totals">
            {totals.requests} requests · {totals.errors} errors · {totals.tokens} tokens
          </p>
          <UsageCharts days={usage} />
        </section>

        <section className="space-y-3">
          <h2 className="font-semibold">Runs</h2>
          <Form method="get" className="flex flex-wrap items-end gap-3 text-sm" aria-label="Filter runs">
            <label className="flex flex-col">
              <span className="text-xs text-slate-600">Status</span>
              <select name="status" defaultValue={search.get("status") ?? ""} className="rounded-md border border-slate-300 px-2 py-1">
                <option value="">any</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s.replace("_", " ")}
                  </option>
                ))}
              </select>
            </label>
            <label className="flex flex-col">
              <span className="text-xs text-slate-600">Time</span>
              <select name="period" defaultValue={search.get("period") ?? ""} className="rounded-md border border-slate-300 px-2 py-1">
                <option value="">all time</option>
                <option value="1h">last hour</option>
                <option value="24h">last 24 hours</option>
                <option value="7d">last 7 days</option>
                <option value="30d">last 30 days</option>
              </select>
            </label>
            <label className="flex flex-col">
              <span className="text-xs text-slate-600">Key</span>
              <select name="key" defaultValue={search.get("key") ?? ""} className="rounded-md border border-slate-300 px-2 py-1">
                <option value="">any key</option>
                {keysOfAgent.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name} ({k.prefix}…){k.revokedAt ? " · revoked" : ""}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="rounded-md bg-slate-800 px-3 py-1.5 text-white">
              Filter
            </button>
          </Form>
          {history.runs.length === 0 ? (
            <p className="text-sm text-slate-500">
              {filtered ? "No runs match." : "No runs yet: every call to this agent through /v1 or the chat widget shows up here."}
            </p>
          ) : (
            <table className="w-full text-left text-sm" data-testid="agent-runs">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th className="py-1">Started (UTC)</th>
                  <th>Status</th>
                  <th>Message</th>
                  <th>Key</th>
                  <th className="text-right">Tokens</th>
                  <th className="text-right">Time</th>
                </tr>
              </thead>
              <tbody>
                {history.runs.map((r) => (
                  <tr key={r.id} className="border-t border-slate-200 align-top" data-testid="agent-run-row">
                    <td className="py-1.5 text-xs">
                      <Link to={`/runs/${r.id}`} className="text-brand-600 underline">
                        {when.format(new Date(r.startedAt))}
                      </Link>
                    </td>
                    <td>
                      <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[r.status] ?? ""}`}>{r.status.replace("_", " ")}</span>
                      {r.failedToolCalls > 0 && (
                        <span className="ml-1 rounded bg-amber-50 px-1.5 py-0.5 text-xs text-amber-800" data-testid="run-tool-warning">
                          {toolFailureNote(r.failedToolCalls)}
                        </span>
                      )}
                    </td>
                    <td className="max-w-md truncate text-xs" title={r.input}>
                      {r.input}
                    </td>
                    <td className="text-xs">{r.apiKeyName ? `${r.apiKeyName} (${r.apiKeyPrefix}…)` : "deleted key"}</td>
                    <td className="text-right text-xs">{r.promptTokens + r.completionTokens}</td>
                    <td className="text-right text-xs">{r.durationMs !== null ? `${r.durationMs} ms` : "…"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {history.nextBefore && (
            <Link to={`?${nextPage.toString()}`} className="text-sm text-brand-600 underline">
              Older runs →
            </Link>
          )}
        </section>
      </main>
    </div>
  );
}
