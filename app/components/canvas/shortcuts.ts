import { useEffect } from "react";
import type { EditorCommands } from "./editor-commands";
import type { EditorUi } from "./editor-context";
import { editorLayout } from "./editor-layout";
import type { ValueStore } from "./value-store";

const isMac = () => typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/** The list the help dialog shows; the handler below implements exactly these. */
export const SHORTCUTS: { keys: string; action: string }[] = [
  { keys: "Ctrl/⌘ Z", action: "Undo" },
  { keys: "Ctrl/⌘ Shift Z  or  Ctrl/⌘ Y", action: "Redo" },
  { keys: "Ctrl/⌘ C / X / V", action: "Copy, cut, paste blocks (works across flows and tabs)" },
  { keys: "Ctrl/⌘ D", action: "Duplicate the selected blocks" },
  { keys: "Ctrl/⌘ A", action: "Select all blocks" },
  { keys: "Delete  or  Backspace", action: "Delete the selection" },
  { keys: "Shift + drag on the canvas", action: "Select several blocks with a box" },
  { keys: "Shift/Ctrl/⌘ + click", action: "Add a block to the selection" },
  { keys: "Ctrl/⌘ S", action: "Save now" },
  { keys: "Shift 1", action: "Fit the whole flow in view" },
  { keys: "/", action: "Search blocks" },
  { keys: "Tab, then Enter", action: "Move between blocks; Enter selects; the Block panel connects ports from a menu" },
  { keys: "Escape", action: "Clear the selection, close dialogs" },
  { keys: "?", action: "Show this list" },
];

/** Focuses the palette's search, unfolding the palette first if it was folded away. */
function focusBlockSearch(framesLeft = 10): void {
  editorLayout.set({ paletteCollapsed: false });
  const input = document.querySelector<HTMLInputElement>("[data-testid=palette-search]");
  if (input) input.focus();
  else if (framesLeft > 0) requestAnimationFrame(() => focusBlockSearch(framesLeft - 1));
}

/** A text field, select or editable element has the keyboard: leave its keys alone. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** Config fields edit the graph, so undo/redo there is the editor's undo, not the input's own. */
function inGraphField(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("[data-graph-field]") !== null;
}

function inDialog(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("[role=dialog]") !== null;
}

export function useEditorShortcuts(
  commands: EditorCommands,
  ui: ValueStore<EditorUi>,
  flushSave: () => void,
  clearSelection: () => void,
): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (inDialog(e.target)) return;
      const mod = isMac() ? e.metaKey : e.ctrlKey;
      const key = e.key.toLowerCase();
      const typing = typingIn(e.target);

      if (mod && (key === "z" || key === "y")) {
        if (typing && !inGraphField(e.target)) return;
        e.preventDefault();
        if (key === "y" || e.shiftKey) commands.redo();
        else commands.undo();
        return;
      }
      if (mod && key === "s") {
        e.preventDefault();
        flushSave();
        return;
      }
      if (typing) return;
      if (mod && key === "d") {
        e.preventDefault();
        commands.duplicateSelection();
      } else if (mod && key === "a") {
        e.preventDefault();
        commands.selectAll();
      } else if (!mod && (e.key === "Delete" || e.key === "Backspace")) {
        e.preventDefault();
        commands.deleteSelection();
      } else if (e.key === "Escape") {
        clearSelection();
      } else if (e.key === "!" || (e.shiftKey && e.code === "Digit1")) {
        commands.fitView();
      } else if (e.key === "?") {
        ui.set((s) => ({ ...s, shortcutsOpen: true }));
      } else if (e.key === "/") {
        e.preventDefault();
        focusBlockSearch();
      }
    };

    // Clipboard events (not keydown) so the browser lets us read and write the real clipboard.
    const onCopy = (e: ClipboardEvent, cut: boolean) => {
      if (typingIn(e.target) || inDialog(e.target)) return;
      const text = commands.copySelection();
      if (!text || !e.clipboardData) return;
      e.preventDefault();
      e.clipboardData.setData("text/plain", text);
      if (cut) commands.deleteSelection();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (typingIn(e.target) || inDialog(e.target)) return;
      const text = e.clipboardData?.getData("text/plain");
      if (!text) return;
      e.preventDefault();
      commands.pasteText(text);
    };
    const copy = (e: ClipboardEvent) => onCopy(e, false);
    const cut = (e: ClipboardEvent) => onCopy(e, true);
    window.addEventListener("keydown", onKeyDown);
    document.addEventListener("copy", copy);
    document.addEventListener("cut", cut);
    document.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("copy", copy);
      document.removeEventListener("cut", cut);
      document.removeEventListener("paste", onPaste);
    };
  }, [clearSelection, commands, flushSave, ui]);
}
