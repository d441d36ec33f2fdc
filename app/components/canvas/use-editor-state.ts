import { useCallback, useRef, useSyncExternalStore } from "react";
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

/**
 * The graph store's state, but held still while a drag is in progress: panels and the
 * toolbar do not need 60 updates a second of a node's position, and not re-rendering them
 * keeps dragging smooth in large flows. The drop delivers the final state.
 */
export function useSettledGraphState(): GraphStoreState {
  const { store } = useEditor();
  const settled = useRef<GraphStoreState | null>(null);
  const read = useCallback(() => {
    const state = store.getState();
    if (!settled.current || !state.gesturing) settled.current = state;
    return settled.current;
  }, [store]);
  return useSyncExternalStore(store.subscribe, read, read);
}
