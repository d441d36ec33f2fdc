import { Info, X } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "#app/components/ui/button";
import { Dialog } from "#app/components/ui/dialog";
import { FormError } from "#app/components/ui/field";
import { describeApiError } from "#app/lib/trpc";
import { useEditor } from "./editor-context";
import { SHORTCUTS } from "./shortcuts";
import { useEditorUi } from "./use-editor-state";

export function ShortcutsDialog() {
  const { ui } = useEditor();
  const { shortcutsOpen } = useEditorUi();
  return (
    <Dialog open={shortcutsOpen} onOpenChange={(open) => ui.set((s) => ({ ...s, shortcutsOpen: open }))} title="Keyboard shortcuts">
      <table className="w-full text-sm">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys} className="border-b border-slate-100 last:border-0">
              <td className="py-1.5 pr-4 align-top">
                <kbd className="whitespace-nowrap rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs">{s.keys}</kbd>
              </td>
              <td className="py-1.5 text-slate-700">{s.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}

/**
 * A save was refused because the flow changed elsewhere. Both choices keep the user's copy:
 * as a new version, or (reload) in the undo history.
 */
export function ConflictDialog() {
  const { autosave, ui } = useEditor();
  const [busy, setBusy] = useState<"mine" | "theirs" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = autosave.state.status === "conflict";
  const run = async (choice: "mine" | "theirs") => {
    setBusy(choice);
    setError(null);
    try {
      if (choice === "mine") {
        const number = await autosave.keepMineAsVersion();
        ui.set((s) => ({ ...s, notice: { tone: "info", text: `Your copy is saved as version ${number} (see Versions). You now see the latest flow.` } }));
      } else {
        await autosave.reloadTheirs();
        ui.set((s) => ({ ...s, notice: { tone: "info", text: "Loaded the latest flow. Undo (Ctrl+Z) brings your changes back." } }));
      }
    } catch (e) {
      setError(describeApiError(e).message);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={() => undefined}
      title="This flow was changed somewhere else"
      description="Someone (or you, in another tab) saved this flow after you opened it. Your changes are not lost: choose what to do with them."
    >
      <div className="space-y-3">
        <FormError message={error} />
        <div className="flex flex-col gap-2">
          <Button onClick={() => void run("mine")} busy={busy === "mine"} disabled={busy !== null} data-testid="conflict-keep-mine">
            Keep mine as a new version
          </Button>
          <Button variant="secondary" onClick={() => void run("theirs")} busy={busy === "theirs"} disabled={busy !== null} data-testid="conflict-reload">
            Reload theirs
          </Button>
        </div>
        <p className="text-xs text-slate-500">{autosave.state.message}</p>
      </div>
    </Dialog>
  );
}

/** Messages from actions (a refused wire, a bad import): errors stay until dismissed. */
export function NoticeBar() {
  const { ui } = useEditor();
  const { notice } = useEditorUi();
  useEffect(() => {
    if (!notice || notice.tone === "error") return;
    const t = setTimeout(() => ui.set((s) => (s.notice === notice ? { ...s, notice: null } : s)), 6_000);
    return () => clearTimeout(t);
  }, [notice, ui]);
  if (!notice) return null;
  const error = notice.tone === "error";
  return (
    <div
      role={error ? "alert" : "status"}
      data-testid="editor-notice"
      className={`absolute bottom-4 left-1/2 z-20 flex max-w-lg -translate-x-1/2 items-start gap-2 rounded-md border px-3 py-2 text-sm shadow-lg ${
        error ? "border-red-200 bg-red-50 text-red-800" : "border-slate-200 bg-white text-slate-700"
      }`}
    >
      <Info size={16} className="mt-0.5 shrink-0" />
      <div>
        <p>{notice.text}</p>
        {notice.details && notice.details.length > 0 && (
          <ul className="mt-1 list-disc pl-4 text-xs">
            {notice.details.map((d, i) => (
              <li key={i}>{d}</li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" aria-label="Dismiss" className="rounded p-0.5 hover:bg-black/5" onClick={() => ui.set((s) => ({ ...s, notice: null }))}>
        <X size={14} />
      </button>
    </div>
  );
}

export function PreviewBanner() {
  const { ui } = useEditor();
  const { preview } = useEditorUi();
  if (!preview) return null;
  return (
    <div className="absolute left-1/2 top-3 z-20 flex -translate-x-1/2 items-center gap-3 rounded-md border border-brand-500 bg-brand-50 px-3 py-1.5 text-sm shadow" role="status" data-testid="preview-banner">
      <span>
        Previewing <strong>version {preview.number}</strong> (read-only): {preview.message}
      </span>
      <Button variant="secondary" className="!py-0.5 text-xs" onClick={() => ui.set((s) => ({ ...s, preview: null }))}>
        Back to editing
      </Button>
    </div>
  );
}
