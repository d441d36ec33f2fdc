import { useSyncExternalStore } from "react";

/**
 * Which side columns of the editor are folded away. On a small screen the palette and the
 * panels would leave the canvas a sliver, so each folds to a strip of buttons; the choice is
 * the user's and is remembered in this browser (localStorage), for every flow.
 */
export type EditorLayout = { paletteCollapsed: boolean; panelCollapsed: boolean };

export const EDITOR_LAYOUT_KEY = "skyloom.editor.layout";
const DEFAULT_LAYOUT: EditorLayout = { paletteCollapsed: false, panelCollapsed: false };

function readStored(): EditorLayout {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(EDITOR_LAYOUT_KEY) ?? "null");
    if (parsed === null || typeof parsed !== "object") return DEFAULT_LAYOUT;
    const { paletteCollapsed, panelCollapsed } = parsed as Record<string, unknown>;
    return { paletteCollapsed: paletteCollapsed === true, panelCollapsed: panelCollapsed === true };
  } catch {
    // Storage blocked (private mode, policy) or edited by hand into bad JSON: start unfolded.
    return DEFAULT_LAYOUT;
  }
}

let current: EditorLayout | null = null;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

/** Another tab folded a column: follow it. */
function onStorage(event: StorageEvent) {
  if (event.key !== EDITOR_LAYOUT_KEY) return;
  current = readStored();
  emit();
}

export const editorLayout = {
  get(): EditorLayout {
    if (typeof window === "undefined") return DEFAULT_LAYOUT;
    current ??= readStored();
    return current;
  },
  set(patch: Partial<EditorLayout>): void {
    const before = editorLayout.get();
    const next = { ...before, ...patch };
    if (next.paletteCollapsed === before.paletteCollapsed && next.panelCollapsed === before.panelCollapsed) return;
    current = next;
    try {
      window.localStorage.setItem(EDITOR_LAYOUT_KEY, JSON.stringify(next));
    } catch {
      // Storage blocked or full: the choice still holds on this page, it is just not remembered.
    }
    emit();
  },
  subscribe(listener: () => void): () => void {
    if (listeners.size === 0) window.addEventListener("storage", onStorage);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) window.removeEventListener("storage", onStorage);
    };
  },
};

/** The server renders both columns open; the browser switches to the stored choice while hydrating. */
export function useEditorLayout(): EditorLayout {
  return useSyncExternalStore(editorLayout.subscribe, editorLayout.get, () => DEFAULT_LAYOUT);
}
