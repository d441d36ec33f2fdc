import { useRef, type KeyboardEvent } from "react";

/**
 * Tabs for a code snippet's language, with arrow keys, Home and End as WAI-ARIA tabs expect.
 * Shared by the publish page's "Use it" and the endpoint page's snippets.
 */
export function LanguageTabs<L extends string>({ languages, language, onChange, panelId }: { languages: readonly L[]; language: L; onChange(l: L): void; panelId: string }) {
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const current = languages.indexOf(language);
    const last = languages.length - 1;
    const next =
      event.key === "ArrowRight" ? (current + 1) % languages.length
      : event.key === "ArrowLeft" ? (current + last) % languages.length
      : event.key === "Home" ? 0
      : event.key === "End" ? last
      : null;
    if (next === null) return;
    event.preventDefault();
    onChange(languages[next] ?? language);
    tabs.current[next]?.focus();
  };
  return (
    <div role="tablist" aria-label="Language" className="flex flex-wrap gap-1" onKeyDown={onKeyDown}>
      {languages.map((l, i) => (
        <button
          key={l}
          ref={(node) => {
            tabs.current[i] = node;
          }}
          id={`${panelId}-${l}`}
          type="button"
          role="tab"
          aria-selected={language === l}
          aria-controls={panelId}
          tabIndex={language === l ? 0 : -1}
          onClick={() => onChange(l)}
          className={`rounded px-2 py-0.5 text-xs ${language === l ? "bg-slate-800 text-white" : "bg-slate-100 text-slate-700 hover:bg-slate-200"}`}
        >
          {l}
        </button>
      ))}
    </div>
  );
}
