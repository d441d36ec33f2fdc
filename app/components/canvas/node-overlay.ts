import { useSyncExternalStore } from "react";

/**
 * Run status drawn on top of nodes (a test run lighting up the blocks it passes through).
 * It is UI state only: it never enters the GraphDoc and is never saved.
 */
/** "stopped": another block's failure stopped it (an Agent whose Chat Model could not be reached). */
export type NodeRunState = "running" | "done" | "error" | "skipped" | "stopped";
export type NodeStatus = { state: NodeRunState; message?: string };

export type NodeOverlayStore = {
  get(nodeId: string): NodeStatus | undefined;
  all(): ReadonlyMap<string, NodeStatus>;
  set(nodeId: string, status: NodeStatus | null): void;
  clear(): void;
  subscribe(listener: () => void): () => void;
};

export function createNodeOverlayStore(): NodeOverlayStore {
  // Replaced, never mutated, so `all()` doubles as a snapshot for useSyncExternalStore.
  let statuses: ReadonlyMap<string, NodeStatus> = new Map();
  const listeners = new Set<() => void>();
  const emit = () => listeners.forEach((l) => l());
  return {
    get: (id) => statuses.get(id),
    all: () => statuses,
    set(nodeId, status) {
      const next = new Map(statuses);
      if (status) next.set(nodeId, status);
      else next.delete(nodeId);
      statuses = next;
      emit();
    },
    clear() {
      if (statuses.size === 0) return;
      statuses = new Map();
      emit();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useNodeStatuses(store: NodeOverlayStore): ReadonlyMap<string, NodeStatus> {
  return useSyncExternalStore(store.subscribe, store.all, store.all);
}
