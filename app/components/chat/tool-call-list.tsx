import { AlertCircle, CheckCircle2, Loader2, Wrench } from "lucide-react";
import type { ReactNode } from "react";
import { formatDuration, type ToolCallView } from "./trace";
import { TraceValues } from "./trace-values";

const STATE_TEXT: Record<ToolCallView["state"], string> = { running: "running", ok: "done", error: "failed" };
const STATE_ICON: Record<ToolCallView["state"], ReactNode> = {
  running: <Loader2 size={12} className="animate-spin text-brand-600" aria-hidden />,
  ok: <CheckCircle2 size={12} className="text-emerald-600" aria-hidden />,
  error: <AlertCircle size={12} className="text-red-600" aria-hidden />,
};

/**
 * The tool calls an Agent made, each folded to one line (name, state, time) that opens to its
 * arguments and its result or error. `labelOf` names the tool's block as the canvas does.
 */
export function ToolCallList({ calls, labelOf }: { calls: readonly ToolCallView[]; labelOf(nodeId: string): string | undefined }) {
  if (calls.length === 0) return null;
  return (
    <ul className="space-y-1" aria-label="Tool calls">
      {calls.map((call) => {
        const block = call.toolNodeId ? labelOf(call.toolNodeId) : undefined;
        return (
          <li key={`${call.agentNodeId}-${call.callId}`}>
            <details className={`rounded border px-2 py-1 text-xs ${call.state === "error" ? "border-red-200 bg-red-50/50" : "border-slate-200 bg-white"}`} data-testid="tool-call" data-state={call.state}>
              <summary className="flex cursor-pointer items-center gap-1.5">
                <Wrench size={12} className="shrink-0 text-slate-500" aria-hidden />
                <span className="min-w-0 flex-1 truncate">
                  <span className="font-medium text-slate-800">Called {call.tool}</span>
                  {block && block !== call.tool && <span className="text-slate-500"> · {block}</span>}
                </span>
                {STATE_ICON[call.state]}
                <span className={call.state === "error" ? "font-medium text-red-700" : "text-slate-500"}>{STATE_TEXT[call.state]}</span>
                <span className="w-12 text-right tabular-nums text-slate-500">{formatDuration(call.durationMs)}</span>
              </summary>
              <TraceValues
                sections={[
                  { label: "Arguments", value: call.args },
                  ...(call.state === "ok" ? [{ label: "Result", value: call.result }] : []),
                  ...(call.state === "error" ? [{ label: "Error", value: call.error, tone: "error" as const }] : []),
                ]}
              />
            </details>
          </li>
        );
      })}
    </ul>
  );
}
