import { Check, Copy } from "lucide-react";
import { useRef, useState } from "react";

type CopyState = "idle" | "copied" | "selected";

/**
 * A read-only code block with a copy button. Browsers allow the clipboard only on https or
 * localhost, so where copying is refused (Skyloom on a plain-http address) the text is
 * selected instead and the user is told to press Ctrl+C. `wrap` breaks long lines (a key on
 * its own) instead of scrolling them out of sight.
 */
export function CopyBlock({ label, text, testId, wrap = false }: { label: string; text: string; testId?: string; wrap?: boolean }) {
  const [state, setState] = useState<CopyState>("idle");
  const pre = useRef<HTMLPreElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
      setTimeout(() => setState("idle"), 1500);
    } catch {
      const selection = window.getSelection();
      if (pre.current && selection) selection.selectAllChildren(pre.current);
      setState("selected");
    }
  };
  return (
    <div className="relative">
      <pre
        ref={pre}
        className={`max-h-64 overflow-auto rounded-md bg-slate-900 p-2.5 pr-10 text-[11px] leading-relaxed text-slate-100 ${wrap ? "whitespace-pre-wrap break-all" : ""}`}
        data-testid={testId}
        aria-label={label}
      >
        {text}
      </pre>
      <button
        type="button"
        onClick={() => void copy()}
        className="absolute right-1.5 top-1.5 rounded bg-slate-700 p-1 text-slate-100 hover:bg-slate-600"
        aria-label={`Copy ${label}`}
        title="Copy"
      >
        {state === "copied" ? <Check size={12} /> : <Copy size={12} />}
      </button>
      <span role="status" className={state === "selected" ? "mt-1 block text-xs text-slate-600" : "sr-only"}>
        {state === "copied" ? "Copied." : state === "selected" ? "This browser does not allow copying here: the text is selected, press Ctrl+C (⌘C on a Mac)." : ""}
      </span>
    </div>
  );
}
