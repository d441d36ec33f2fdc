import { TRPCClientError } from "@trpc/client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { GraphDoc } from "#agents/graph/index";
import { fromWire, replaceGraph } from "#app/lib/graph-store/edits";
import { classifySaveFailure, retryDelayMs } from "#app/lib/graph-store/save-retry";
import type { GraphStore } from "#app/lib/graph-store/store";
import { describeApiError, useTRPCClient } from "#app/lib/trpc";

export const AUTOSAVE_DELAY_MS = 800;

export type SaveStatus = "saved" | "pending" | "saving" | "error" | "offline" | "conflict";
export type SaveState = {
  status: SaveStatus;
  revision: number;
  message?: string;
  savedAt?: Date;
  /** A failed save is tried again after this pause (it did not reach the server). */
  retryInMs?: number;
};

export type Autosave = {
  state: SaveState;
  /** Saves pending edits now; resolves with the saved revision. */
  flush(): Promise<number>;
  retry(): void;
  /** Conflict: drop my unsaved edits from the server's view and load the stored flow (undo still has mine). */
  reloadTheirs(): Promise<void>;
  /** Conflict: snapshot my copy as a new version, then load the stored flow. Returns the version number. */
  keepMineAsVersion(): Promise<number>;
  /** Adopts a graph the server already holds (after a restore), without saving it again. */
  adoptServerGraph(graph: GraphDoc, revision: number, options?: { undoable?: boolean }): void;
};

/** The tRPC error code the server answered with; undefined when no answer came (offline, server down). */
function errorCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
}

const isOnline = () => typeof navigator === "undefined" || navigator.onLine;

/**
 * Debounced autosave with optimistic concurrency: every save names the revision it started
 * from, so a save from a stale tab is refused (CONFLICT) instead of overwriting someone's
 * work, and the user chooses what happens to their copy. Nothing is ever dropped silently:
 * a save that did not reach the server is tried again after growing pauses, and at once when
 * the browser comes back online.
 */
export function useAutosave(flowId: string, store: GraphStore, initialRevision: number, enabled: boolean): Autosave {
  const client = useTRPCClient();
  const [state, setState] = useState<SaveState>({ status: "saved", revision: initialRevision });
  const revision = useRef(initialRevision);
  const saved = useRef<GraphDoc>(store.graph);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inflight = useRef<Promise<number> | null>(null);
  const conflict = useRef(false);
  const failedAttempts = useRef(0);

  const saveNow = useCallback(async (): Promise<number> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    while (inflight.current) await inflight.current.catch(() => undefined);
    if (conflict.current) throw new Error("This flow was changed elsewhere; resolve the conflict first.");
    const graph = store.graph;
    if (graph === saved.current) return revision.current;
    setState((s) => ({ ...s, status: "saving", retryInMs: undefined }));
    const attempt = (async () => {
      try {
        const result = await client.flow.save.mutate({ id: flowId, graph, expectedRevision: revision.current });
        revision.current = result.revision;
        saved.current = graph;
        failedAttempts.current = 0;
        const stillDirty = store.graph !== graph;
        setState({ status: stillDirty ? "pending" : "saved", revision: result.revision, savedAt: new Date() });
        return result.revision;
      } catch (error) {
        const failure = classifySaveFailure({ code: errorCode(error), online: isOnline() });
        if (failure === "conflict") {
          conflict.current = true;
          setState((s) => ({ ...s, status: "conflict", message: describeApiError(error).message }));
        } else if (failure === "refused") {
          setState((s) => ({ ...s, status: "error", message: describeApiError(error).message, retryInMs: undefined }));
        } else {
          const retryInMs = retryDelayMs(failedAttempts.current);
          failedAttempts.current += 1;
          const message = failure === "offline" ? undefined : `Could not reach Skyloom; trying again in ${Math.round(retryInMs / 1000)} s.`;
          setState((s) => ({ ...s, status: failure === "offline" ? "offline" : "error", message, retryInMs }));
        }
        throw error;
      }
    })();
    inflight.current = attempt;
    try {
      return await attempt;
    } finally {
      inflight.current = null;
    }
  }, [client, flowId, store]);

  const schedule = useCallback(
    (delay = AUTOSAVE_DELAY_MS) => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        timer.current = null;
        void saveNow().then(
          () => {
            if (store.graph !== saved.current) schedule();
          },
          // The failure is on screen, and retried below where that can help.
          () => undefined,
        );
      }, delay);
    },
    [saveNow, store],
  );

  // A save that did not reach the server is tried again after its pause; any new save replaces the wait.
  const { retryInMs } = state;
  useEffect(() => {
    if (retryInMs === undefined || !enabled) return;
    const wait = setTimeout(() => schedule(0), retryInMs);
    return () => clearTimeout(wait);
  }, [enabled, retryInMs, schedule, state]);

  // Back online: save now instead of waiting out the pause.
  useEffect(() => {
    if (!enabled) return;
    const onOnline = () => {
      if (conflict.current || store.graph === saved.current) return;
      failedAttempts.current = 0;
      schedule(0);
    };
    window.addEventListener("online", onOnline);
    return () => window.removeEventListener("online", onOnline);
  }, [enabled, schedule, store]);

  useEffect(() => {
    if (!enabled) return;
    let lastGraph = store.graph;
    const unsubscribe = store.subscribe(() => {
      const graph = store.graph;
      if (graph === lastGraph) return;
      lastGraph = graph;
      if (conflict.current) return;
      if (graph === saved.current) {
        if (timer.current) clearTimeout(timer.current);
        setState((s) => (s.status === "pending" ? { ...s, status: "saved" } : s));
        return;
      }
      // Same object when nothing changes, so a drag (60 edits a second) does not re-render the editor.
      // Offline, the edit waits with the others for the connection (see the "online" listener).
      if (!isOnline()) {
        setState((s) => (s.status === "offline" || s.status === "saving" ? s : { ...s, status: "offline", message: undefined }));
        return;
      }
      setState((s) => (s.status === "saving" || s.status === "pending" ? s : { ...s, status: "pending", retryInMs: undefined }));
      schedule();
    });
    return () => {
      unsubscribe();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [enabled, schedule, store]);

  // Leaving the page with unsaved edits asks first (the browser shows its own wording).
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (store.graph !== saved.current) event.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [store]);

  const adoptServerGraph = useCallback(
    (graph: GraphDoc, rev: number, options: { undoable?: boolean } = {}) => {
      if (timer.current) clearTimeout(timer.current);
      conflict.current = false;
      revision.current = rev;
      saved.current = graph;
      if (options.undoable === false) store.reset(graph);
      else store.apply(replaceGraph(graph));
      setState({ status: "saved", revision: rev, savedAt: new Date() });
    },
    [store],
  );

  const reloadTheirs = useCallback(async () => {
    const flow = await client.flow.get.query({ id: flowId });
    adoptServerGraph(fromWire(flow.graph), flow.revision);
  }, [adoptServerGraph, client, flowId]);

  const keepMineAsVersion = useCallback(async () => {
    const stamp = new Date().toLocaleString();
    const version = await client.flow.versions.create.mutate({
      flowId,
      message: `My unsaved changes from a save conflict (${stamp})`.slice(0, 500),
      graph: store.graph,
    });
    await reloadTheirs();
    return version.number;
  }, [client, flowId, reloadTheirs, store]);

  const retry = useCallback(() => {
    failedAttempts.current = 0;
    void saveNow().catch(() => undefined);
  }, [saveNow]);

  return useMemo(
    () => ({ state, flush: saveNow, retry, reloadTheirs, keepMineAsVersion, adoptServerGraph }),
    [state, saveNow, retry, reloadTheirs, keepMineAsVersion, adoptServerGraph],
  );
}
