import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import flowStyles from "@xyflow/react/dist/style.css?url";
import { Pause, Play } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { blockRegistry } from "#agents/blocks/index";
import { AppHeader } from "#app/components/app-header";
import { RunStatusBadge } from "#app/components/chat/run-history";
import { RunCanvas } from "#app/components/chat/run-canvas";
import { followRun } from "#app/components/chat/run-stream";
import { formatDuration, viewOfSteps } from "#app/components/chat/trace";
import { TraceList } from "#app/components/chat/trace-list";
import type { StoredStep } from "#agents/runtime/replay";
import { Button } from "#app/components/ui/button";
import { requireViewer } from "#app/lib/require-viewer.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: flowStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? runTitle(data.run) : "Run"} · Skyloom` }];

const startedAtFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

/** "Support bot — 1 Dec, 14:05": the flow's name and when the run started (the id is for machines). */
function runTitle(run: { flowName: string | null; startedAt: string | Date }): string {
  return `${run.flowName ?? "Deleted flow"} — ${startedAtFormat.format(new Date(run.startedAt))}`;
}

export async function loader({ context, params }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  try {
    const run = await context.trpc.run.get({ id: params.id ?? "" });
    // A run that came through /v1 belongs to the flow's published agent: link back to its history.
    const agentSlug = run.source === "gateway" && run.flowId ? ((await context.trpc.agent.forFlow({ flowId: run.flowId })).publication?.slug ?? null) : null;
    return { me, teams, run, agentSlug };
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) {
      throw new Response("This run does not exist in your current team.", { status: 404, statusText: "Not Found" });
    }
    throw error;
  }
}

const SOURCE_LABEL: Record<string, string> = {
  chat: "from the test chat",
  gateway: "from the API (/v1)",
  api: "from the API",
};

type Step = ReturnType<typeof useLoaderData<typeof loader>>["run"]["steps"][number];

/** A step as loaded (dates arrive as strings) in the shape the trace replays (see stepEvents). */
function storedStep(step: Step): StoredStep {
  return { ...step, startedAt: new Date(step.startedAt).getTime(), finishedAt: step.finishedAt ? new Date(step.finishedAt).getTime() : null };
}

/** Replays the stored trace: every step at once, or one at a time in the order they ran. */
export default function RunPage() {
  const { me, teams, run, agentSlug } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const steps = useMemo(() => run.steps.map(storedStep), [run.steps]);
  const traces = useMemo(() => viewOfSteps(run.id, steps).nodes, [run.id, steps]);
  const [shown, setShown] = useState(steps.length);
  const [playing, setPlaying] = useState(false);
  const [selected, setSelected] = useState<string | null>(traces.find((t) => t.state === "error")?.nodeId ?? null);

  useEffect(() => setShown(steps.length), [steps.length]);
  // A run still in progress: follow it and reload the page data when it ends.
  useEffect(() => {
    if (run.status !== "running") return;
    return followRun(run.id, {
      onEvent: (e) => {
        if (e.type === "node.output" || e.type === "node.error") revalidator.revalidate();
      },
      onError: () => undefined,
      onDone: () => revalidator.revalidate(),
    });
  }, [run.id, run.status]);
  useEffect(() => {
    if (!playing) return;
    if (shown >= steps.length) {
      setPlaying(false);
      return;
    }
    const timer = setTimeout(() => setShown((s) => s + 1), 600);
    return () => clearTimeout(timer);
  }, [playing, shown, steps.length]);

  // The replay folds the first `shown` steps, so a tool call's failure appears when its Agent's step does.
  const view = useMemo(() => viewOfSteps(run.id, steps.slice(0, shown)), [run.id, steps, shown]);
  const visible = view.nodes.map((t, i) => (playing && i === shown - 1 ? { ...t, state: "running" as const } : t));
  const labelOf = (nodeId: string, blockType: string) =>
    run.graph.nodes.find((n) => n.id === nodeId)?.ui.label || blockRegistry.get(blockType)?.title || blockType;
  const selectedTrace = traces.find((t) => t.nodeId === selected);

  return (
    <div className="flex h-screen flex-col overflow-hidden">
      <AppHeader me={me} teams={teams} />
      <div className="flex min-h-0 flex-1">
        <main className="flex min-w-0 flex-1 flex-col">
          <div className="border-b border-slate-200 bg-white px-4 py-3">
            <div className="flex flex-wrap items-center gap-3 text-sm">
              {agentSlug && (
                <Link to={`/agents/${agentSlug}`} className="text-brand-700 underline" data-testid="run-agent-link">
                  ← Runs of {agentSlug}
                </Link>
              )}
              {run.flowId ? (
                <Link to={`/flows/${run.flowId}`} className="text-brand-700 underline">
                  {agentSlug ? "Open the flow" : "← Back to the flow"}
                </Link>
              ) : (
                <span className="text-slate-500">Flow deleted</span>
              )}
              <h1 className="text-lg font-semibold" data-testid="run-title" title={run.id} suppressHydrationWarning>
                {runTitle(run)}
              </h1>
              <RunStatusBadge status={run.status} failedToolCalls={run.failedToolCalls} testId="run-status" />
              <span className="text-slate-600">{formatDuration(run.durationMs)}</span>
              <span className="text-slate-600">
                {run.promptTokens} + {run.completionTokens} tokens
              </span>
              <span className="text-slate-500">{SOURCE_LABEL[run.source]}</span>
              <span className="ml-auto flex items-center gap-2">
                <Button
                  variant="secondary"
                  className="!py-1"
                  onClick={() => {
                    if (playing) setPlaying(false);
                    else {
                      setShown(0);
                      setPlaying(true);
                    }
                  }}
                  data-testid="run-replay"
                >
                  {playing ? <Pause size={14} /> : <Play size={14} />} {playing ? "Pause" : "Replay"}
                </Button>
                <label className="flex items-center gap-1 text-xs text-slate-600">
                  Step
                  <input
                    type="range"
                    min={0}
                    max={steps.length}
                    value={shown}
                    onChange={(e) => {
                      setPlaying(false);
                      setShown(Number(e.target.value));
                    }}
                    aria-label="Replay position"
                  />
                  {shown}/{steps.length}
                </label>
              </span>
            </div>
            <div className="mt-2 grid gap-2 text-sm md:grid-cols-2">
              <div>
                <div className="text-xs uppercase tracking-wide text-slate-500">Input</div>
                <p className="whitespace-pre-wrap break-words" data-testid="run-input">
                  {run.input}
                </p>
              </div>
              <div>
                <div className="text-xs uppercase tracking-wide text-slate-500">Output</div>
                <p className="whitespace-pre-wrap break-words" data-testid="run-output">
                  {run.output ?? "—"}
                </p>
                {run.error && (
                  <p role="alert" className="mt-1 text-red-700" data-testid="run-error">
                    {run.error}
                  </p>
                )}
              </div>
            </div>
          </div>
          <div className="min-h-0 flex-1" data-testid="run-canvas">
            <RunCanvas graph={run.graph} traces={visible} selectedNodeId={selected} onSelect={setSelected} />
          </div>
        </main>
        <aside className="w-96 shrink-0 overflow-y-auto border-l border-slate-200 bg-white p-3" aria-label="Trace">
          <h2 className="mb-2 text-sm font-semibold">Trace</h2>
          <TraceList nodes={visible} toolCalls={view.toolCalls} labelOf={labelOf} onFocus={setSelected} expandErrors />
          {selectedTrace && (
            <p className="mt-3 text-xs text-slate-500">
              Selected: {labelOf(selectedTrace.nodeId, selectedTrace.blockType)} — click a block in the list to see its inputs and outputs.
            </p>
          )}
        </aside>
      </div>
    </div>
  );
}
