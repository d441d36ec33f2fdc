import { AlertCircle, CheckCircle2, CircleDashed, CirclePause, Crosshair, Loader2, MinusCircle } from "lucide-react";
import { useState } from "react";
import { ToolCallList } from "./tool-call-list";
import type { NodeTrace, ToolCallView } from "./trace";
import { formatDuration } from "./trace";
import { TraceValues } from "./trace-values";

const ICONS = {
  running: <Loader2 size={14} className="animate-spin text-brand-600" aria-hidden />,
  done: <CheckCircle2 size={14} className="text-emerald-600" aria-hidden />,
  error: <AlertCircle size={14} className="text-red-600" aria-hidden />,
  skipped: <MinusCircle size={14} className="text-slate-400" aria-hidden />,
  stopped: <CirclePause size={14} className="text-slate-500" aria-hidden />,
} as const;

const STATE_TEXT = { running: "running", done: "done", error: "failed", skipped: "skipped", stopped: "stopped" } as const;

/** Trace extras shown as they are; tool calls have their own list and `causedBy` is said in words. */
function otherDetail(detail: Record<string, unknown> | null): Record<string, unknown> | undefined {
  if (!detail) return undefined;
  const rest = Object.fromEntries(Object.entries(detail).filter(([key]) => key !== "toolCalls" && key !== "causedBy"));
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * One line per node the run passed through: status, timing, error; a click on its name opens
 * its inputs and outputs (as text; JSON on demand) and the tool calls made by it or through it.
 * `labelOf` names a node as the canvas does; `onFocus` (the crosshair) selects it there.
 */
export function TraceList({
  nodes,
  toolCalls = [],
  labelOf,
  onFocus,
  expandErrors = true,
}: {
  nodes: readonly NodeTrace[];
  toolCalls?: readonly ToolCallView[];
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
  const blockLabel = (nodeId: string) => {
    const node = nodes.find((n) => n.nodeId === nodeId);
    return node ? labelOf(node.nodeId, node.blockType) : undefined;
  };
  return (
    <ol className="space-y-1" aria-label="Run trace">
      {nodes.map((n) => {
        const expanded = open === n.nodeId || (expandErrors && n.state === "error");
        const calls = toolCalls.filter((c) => c.agentNodeId === n.nodeId || c.toolNodeId === n.nodeId);
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
              <span className={n.state === "error" ? "font-medium text-red-700" : "text-slate-500"}>{STATE_TEXT[n.state]}</span>
              <span className="w-14 text-right tabular-nums text-slate-500" data-testid={`trace-${n.nodeId}-duration`}>
                {n.state === "skipped" ? "" : formatDuration(n.durationMs)}
              </span>
            </div>
            {n.error &&
              (n.state === "stopped" ? (
                <p className="mt-1 break-words text-slate-600">{n.error}</p>
              ) : (
                <p role="alert" className="mt-1 break-words text-red-700" data-testid={`trace-${n.nodeId}-error`}>
                  {n.error}
                </p>
              ))}
            {expanded && (
              <div className="mt-1 space-y-1">
                <TraceValues
                  sections={[
                    { label: "Inputs", value: n.inputs },
                    ...(n.outputs ? [{ label: "Outputs", value: n.outputs }] : []),
                    ...(otherDetail(n.detail) ? [{ label: "Details", value: otherDetail(n.detail) }] : []),
                  ]}
                />
                <ToolCallList calls={calls} labelOf={blockLabel} />
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
