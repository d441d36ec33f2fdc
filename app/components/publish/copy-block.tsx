import { Check, Copy } from "lucide-react";
import { useState } from "react";

/** A read-only code block with a copy button. */
export function CopyBlock({ label, text, testId }: { label: string; text: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="relative">
      <pre className="max-h-64 overflow-auto rounded-md bg-slate-900 p-2.5 pr-10 text-[11px] leading-relaxed text-slate-100" data-testid={testId} aria-label={label}>
        {text}
      </pre>
      <button
        type="button"
        onClick={() => void copy()}
        className="absolute right-1.5 top-1.5 rounded bg-slate-700 p-1 text-slate-100 hover:bg-slate-600"
        aria-label={`Copy ${label}`}
        title="Copy"
      >
        {copied ? <Check size={12} /> : <Copy size={12} />}
      </button>
    </div>
  );
}
