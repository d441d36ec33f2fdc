import { Braces } from "lucide-react";
import { useState } from "react";
import { readableValue } from "./readable";

const JSON_LIMIT = 20_000;

function jsonText(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return text.length > JSON_LIMIT ? `${text.slice(0, JSON_LIMIT)}…` : text;
}

/**
 * Labelled trace values (a node's inputs and outputs, a tool call's arguments) as readable
 * text, with the exact JSON behind a "Show JSON" toggle for those who want it.
 */
export function TraceValues({ sections }: { sections: readonly { label: string; value: unknown; tone?: "error" }[] }) {
  const [asJson, setAsJson] = useState(false);
  const shown = sections.filter((s) => s.value !== undefined);
  if (shown.length === 0) return null;
  return (
    <div className="mt-1 space-y-1">
      {shown.map((s) => (
        <div key={s.label}>
          <span className="text-slate-500">{s.label}</span>
          <pre
            className={`mt-0.5 max-h-48 overflow-auto whitespace-pre-wrap break-words rounded p-2 text-[11px] ${asJson ? "bg-slate-50 font-mono text-slate-700" : "font-sans"} ${
              s.tone === "error" ? "bg-red-50 text-red-800" : "bg-slate-50 text-slate-800"
            }`}
            data-testid="trace-value"
          >
            {asJson ? jsonText(s.value) : readableValue(s.value)}
          </pre>
        </div>
      ))}
      <button
        type="button"
        className="inline-flex items-center gap-1 rounded px-1 py-0.5 text-[11px] text-slate-500 hover:bg-slate-100 hover:text-slate-800"
        aria-pressed={asJson}
        onClick={() => setAsJson(!asJson)}
      >
        <Braces size={11} aria-hidden /> {asJson ? "Show as text" : "Show JSON"}
      </button>
    </div>
  );
}
