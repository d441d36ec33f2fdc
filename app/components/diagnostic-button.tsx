import { AlertTriangle } from "lucide-react";
import { DIAGNOSTIC_CODES, type Diagnostic } from "#agents/graph/diagnostics";

/**
 * One compiler diagnostic (Problems panel, Deploy panel): the node it names (by its label), its
 * message, and its code small, for those who look codes up (the catalog's title on hover). Clicking it focuses the node; it is disabled when there is no node to focus.
 */
export function DiagnosticButton({
  diagnostic: d,
  nodeName,
  onFocusNode,
  testId,
}: {
  diagnostic: Diagnostic;
  /** The node's label as the canvas shows it. */
  nodeName: string | undefined;
  onFocusNode: ((nodeId: string) => void) | undefined;
  testId: string;
}) {
  return (
    <button
      type="button"
      className="flex w-full items-start gap-2 rounded-md border border-slate-200 p-2 text-left text-xs hover:border-red-300 hover:bg-red-50 disabled:cursor-default"
      disabled={!d.node || !onFocusNode}
      onClick={() => d.node && onFocusNode?.(d.node)}
      data-testid={testId}
    >
      <AlertTriangle size={14} className={`mt-0.5 shrink-0 ${d.severity === "error" ? "text-red-500" : "text-amber-500"}`} />
      <span>
        <span className="font-medium text-slate-800">{d.node ? (nodeName ?? d.node) : "Flow"}</span>
        <span className="text-slate-400" title={DIAGNOSTIC_CODES[d.code]}>
          {" "}
          · {d.code}
        </span>
        <span className="block text-slate-700">{d.message}</span>
      </span>
    </button>
  );
}
