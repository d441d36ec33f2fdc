import { Link } from "@remix-run/react";
import { AlertTriangle } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { formatDuration, STATUS_LABELS, toolFailureNote } from "./trace";

type RunRow = RouterOutputs["run"]["list"][number];

const when = new Intl.DateTimeFormat("en", { dateStyle: "short", timeStyle: "medium" });

const STATUS_CLASS: Record<RunRow["status"], string> = {
  running: "bg-brand-50 text-brand-700",
  succeeded: "bg-emerald-50 text-emerald-700",
  failed: "bg-red-50 text-red-700",
  cancelled: "bg-slate-100 text-slate-600",
  timed_out: "bg-amber-50 text-amber-700",
};

/**
 * A run's status, with a warning beside it when tool calls failed: a run whose Agent answered
 * anyway is "Succeeded", but says "1 tool call failed" in the chat, the run list and the run page.
 */
export function RunStatusBadge({ status, failedToolCalls = 0, testId }: { status: RunRow["status"]; failedToolCalls?: number; testId?: string }) {
  const note = toolFailureNote(failedToolCalls);
  return (
    <span className="inline-flex items-center gap-1">
      <span className={`rounded px-1.5 py-0.5 text-[11px] font-medium ${STATUS_CLASS[status]}`} data-testid={testId}>
        {STATUS_LABELS[status]}
      </span>
      {note && (
        <span className="inline-flex items-center gap-1 rounded bg-amber-50 px-1.5 py-0.5 text-[11px] font-medium text-amber-800" data-testid="run-tool-warning">
          <AlertTriangle size={11} aria-hidden /> {note}
        </span>
      )}
    </span>
  );
}

/** The flow's recent runs, newest first, each linking to its run page. `refreshKey` reloads it. */
export function RunHistory({ flowId, refreshKey }: { flowId: string; refreshKey: unknown }) {
  const client = useTRPCClient();
  const [rows, setRows] = useState<RunRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setRows(await client.run.list.query({ flowId, limit: 15 }));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not load the run history.");
    }
  }, [client, flowId]);
  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  if (error) return <p className="text-xs text-red-700">{error}</p>;
  if (rows === null) return <p className="text-xs text-slate-500">Loading runs…</p>;
  if (rows.length === 0) return <p className="text-xs text-slate-500">No runs yet: send a message above.</p>;
  return (
    <ul className="divide-y divide-slate-100" aria-label="Run history" data-testid="run-history">
      {rows.map((r) => (
        <li key={r.id} className="py-1.5 text-xs">
          <Link to={`/runs/${r.id}`} className="group block">
            <div className="flex items-center gap-2">
              <RunStatusBadge status={r.status} failedToolCalls={r.failedToolCalls} />
              <span className="min-w-0 flex-1 truncate text-slate-800 group-hover:underline">{r.input}</span>
              <span className="tabular-nums text-slate-500">{formatDuration(r.durationMs)}</span>
            </div>
            <div className="mt-0.5 text-slate-500">
              {when.format(new Date(r.startedAt))} · {r.promptTokens + r.completionTokens} tokens · {r.source}
            </div>
          </Link>
        </li>
      ))}
    </ul>
  );
}
