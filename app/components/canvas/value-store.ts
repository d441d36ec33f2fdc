import { useCallback, useRef, useSyncExternalStore } from "react";

/** A tiny observable value for editor UI state that several components read. */
export type ValueStore<T> = {
  get(): T;
  set(next: T | ((prev: T) => T)): void;
  subscribe(listener: () => void): () => void;
};

export function createValueStore<T>(initial: T): ValueStore<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      const v = typeof next === "function" ? (next as (prev: T) => T)(value) : next;
      if (Object.is(v, value)) return;
      value = v;
      listeners.forEach((l) => l());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Reads a slice of a store; the component re-renders only when the slice changes
 * (compared with Object.is), which keeps 500 nodes from re-rendering on unrelated updates.
 */
export function useStoreValue<S, T>(
  store: { subscribe(l: () => void): () => void },
  getSnapshot: () => S,
  select: (state: S) => T,
): T {
  const last = useRef<{ state: S; value: T } | null>(null);
  const read = useCallback(() => {
    const state = getSnapshot();
    if (last.current && Object.is(last.current.state, state)) return last.current.value;
    const value = select(state);
    if (last.current && Object.is(last.current.value, value)) {
      last.current = { state, value: last.current.value };
      return last.current.value;
    }
    last.current = { state, value };
    return value;
  }, [getSnapshot, select]);
  return useSyncExternalStore(store.subscribe, read, read);
}
