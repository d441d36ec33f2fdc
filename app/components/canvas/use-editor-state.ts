import { useSyncExternalStore } from "react";
import type { GraphStoreState } from "#app/lib/graph-store/store";
import { useEditor } from "./editor-context";
import type { EditorUi } from "./editor-context";

/** The graph store's state; re-renders on every graph or selection change. */
export function useGraphState(): GraphStoreState {
  const { store } = useEditor();
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}

export function useEditorUi(): EditorUi {
  const { ui } = useEditor();
  return useSyncExternalStore(ui.subscribe, ui.get, ui.get);
}

/** Edits are allowed: the role permits it and no version preview is on screen. */
export function useEditable(): boolean {
  const { canEdit } = useEditor();
  const ui = useEditorUi();
  return canEdit && ui.preview === null;
}
