import { AlertCircle, CheckCircle2, CircleDashed, Crosshair, Loader2, MinusCircle } from "lucide-react";
import { useState } from "react";
import type { NodeTrace } from "./trace";
import { formatDuration } from "./trace";

const ICONS = {
  running: <Loader2 size={14} className="animate-spin text-brand-600" aria-hidden />,
  done: <CheckCircle2 size={14} className="text-emerald-600" aria-hidden />,
  error: <AlertCircle size={14} className="text-red-600" aria-hidden />,
  skipped: <MinusCircle size={14} className="text-slate-400" aria-hidden />,
} as const;

const STATE_TEXT = { running: "running", done: "done", error: "failed", skipped: "skipped" } as const;

function Json({ value }: { value: unknown }) {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-2 text-[11px] text-slate-700">{text.length > 20_000 ? `${text.slice(0, 20_000)}…` : text}</pre>;
}

/**
 * One line per node the run passed through: status, timing, error; a click on its name opens
 * its inputs and outputs. `labelOf` names a node as the canvas does; `onFocus` (the crosshair)
 * selects it there.
 */
export function TraceList({
  nodes,
  labelOf,
  onFocus,
  expandErrors = true,
}: {
  nodes: readonly NodeTrace[];
  labelOf(nodeId: string, blockType: string): string;
  onFocus?: (nodeId: string) => void;
  expandErrors?: boolean;
}) {
  const [open, setOpen] = useState<string | null>(null);
  if (nodes.length === 0) {
    return (
      <p className="flex items-center gap-1.5 text-xs text-slate-500">
        <CircleDashed size={12} aria-hidden /> Waiting for the first block…
      </p>
    );
  }
  return (
    <ol className="space-y-1" aria-label="Run trace">
      {nodes.map((n) => {
        const expanded = open === n.nodeId || (expandErrors && n.state === "error");
        return (
          <li key={n.nodeId} data-testid={`trace-${n.nodeId}`} data-state={n.state} className="rounded border border-slate-200 bg-white px-2 py-1 text-xs">
            <div className="flex items-center gap-1.5">
              {ICONS[n.state]}
              <button
                type="button"
                className="min-w-0 flex-1 truncate text-left font-medium text-slate-800 hover:underline"
                onClick={() => setOpen(open === n.nodeId ? null : n.nodeId)}
                aria-expanded={expanded}
              >
                {labelOf(n.nodeId, n.blockType)}
              </button>
              {onFocus && (
                <button
                  type="button"
                  className="rounded p-0.5 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
                  onClick={() => onFocus(n.nodeId)}
                  aria-label={`Show ${labelOf(n.nodeId, n.blockType)} on the canvas`}
                  title="Show on the canvas"
                >
                  <Crosshair size={12} aria-hidden />
                </button>
              )}
              <span className="text-slate-500">{STATE_TEXT[n.state]}</span>
              <span className="w-14 text-right tabular-nums text-slate-500" data-testid={`trace-${n.nodeId}-duration`}>
                {n.state === "skipped" ? "" : formatDuration(n.durationMs)}
              </span>
            </div>
            {n.error && (
              <p role="alert" className="mt-1 break-words text-red-700">
                {n.error}
              </p>
            )}
            {expanded && (
              <div className="mt-1 space-y-1">
                <div>
                  <span className="text-slate-500">Inputs</span>
                  <Json value={n.inputs} />
                </div>
                {n.outputs && (
                  <div>
                    <span className="text-slate-500">Outputs</span>
                    <Json value={n.outputs} />
                  </div>
                )}
                {n.detail && (
                  <div>
                    <span className="text-slate-500">Details</span>
                    <Json value={n.detail} />
                  </div>
                )}
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
