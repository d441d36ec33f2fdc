import { useSyncExternalStore } from "react";
import type { RunEvent } from "#agents/runtime/events";
import { applyRunEvent, emptyRunView, type RunView } from "./trace";

/**
 * The test chat of one flow: the conversation so far and the run being watched. It lives
 * outside React (one per flow id) so switching sidebar tabs does not lose the conversation.
 */
export type ChatTurn = { id: string; question: string; run: RunView | null; startError: string | null };

export type ChatSessionState = {
  conversationId: string;
  turns: ChatTurn[];
  activeRunId: string | null;
  streamError: string | null;
};

export type ChatSession = {
  get(): ChatSessionState;
  subscribe(listener: () => void): () => void;
  addTurn(question: string): string;
  attachRun(turnId: string, runId: string): void;
  failTurn(turnId: string, message: string): void;
  apply(runId: string, event: RunEvent): void;
  setStreamError(message: string | null): void;
  finish(runId: string): void;
  reset(): void;
};

function newConversationId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `chat-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Where a conversation outlives a reload: the browser's storage, one entry per flow. */
export type ChatStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

const STORAGE_VERSION = 1;
/** Turns kept across a reload; older ones are dropped (the run history still has them). */
const STORED_TURNS = 50;
/** Turns that keep their full trace in storage; older ones keep the question and answer only. */
const STORED_TRACES = 5;

function storageKey(flowId: string): string {
  return `skyloom.chat.${flowId}`;
}

/** The conversation as stored: finished turns only, since a run being watched cannot be resumed. */
export function serializeChat(state: ChatSessionState): string {
  const turns = state.turns.slice(-STORED_TURNS).map((turn, index, all) => {
    if (!turn.run) return turn;
    const run = turn.run.status === "running" ? { ...turn.run, status: "cancelled" as const, error: "The page was reloaded while this answer was arriving; its run page has the rest." } : turn.run;
    return { ...turn, run: index < all.length - STORED_TRACES ? { ...run, nodes: [] } : run };
  });
  return JSON.stringify({ v: STORAGE_VERSION, conversationId: state.conversationId, turns });
}

/** The stored conversation, or null when there is none or it is unreadable (then a new chat starts). */
export function parseStoredChat(text: string | null): Pick<ChatSessionState, "conversationId" | "turns"> | null {
  if (!text) return null;
  try {
    const data = JSON.parse(text) as { v?: unknown; conversationId?: unknown; turns?: unknown };
    if (data.v !== STORAGE_VERSION || typeof data.conversationId !== "string" || !Array.isArray(data.turns)) return null;
    const turns = (data.turns as ChatTurn[]).filter((t) => typeof t?.id === "string" && typeof t.question === "string");
    return { conversationId: data.conversationId, turns };
  } catch {
    return null;
  }
}

function browserStorage(): ChatStorage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null; // storage refused (privacy settings): the chat works, it just does not outlive a reload
  }
}

export function createChatSession(flowId: string, storage: ChatStorage | null = browserStorage()): ChatSession {
  const stored = parseStoredChat(storage?.getItem(storageKey(flowId)) ?? null);
  let state: ChatSessionState = {
    conversationId: stored?.conversationId ?? newConversationId(),
    turns: stored?.turns ?? [],
    activeRunId: null,
    streamError: null,
  };
  const save = () => {
    try {
      storage?.setItem(storageKey(flowId), serializeChat(state));
    } catch {
      // Storage full or refused: keep the conversation in memory only.
    }
  };
  const listeners = new Set<() => void>();
  const set = (next: ChatSessionState) => {
    state = next;
    listeners.forEach((l) => l());
  };
  const updateTurn = (match: (t: ChatTurn) => boolean, change: (t: ChatTurn) => ChatTurn) =>
    set({ ...state, turns: state.turns.map((t) => (match(t) ? change(t) : t)) });
  let counter = state.turns.length;
  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    addTurn(question) {
      counter += 1;
      const id = `turn-${counter}`;
      set({ ...state, streamError: null, turns: [...state.turns, { id, question, run: null, startError: null }] });
      save();
      return id;
    },
    attachRun(turnId, runId) {
      set({ ...state, activeRunId: runId, turns: state.turns.map((t) => (t.id === turnId ? { ...t, run: emptyRunView(runId) } : t)) });
    },
    failTurn(turnId, message) {
      updateTurn((t) => t.id === turnId, (t) => ({ ...t, startError: message }));
      save();
    },
    apply(runId, event) {
      updateTurn((t) => t.run?.runId === runId, (t) => ({ ...t, run: applyRunEvent(t.run as RunView, event) }));
    },
    setStreamError(message) {
      set({ ...state, streamError: message });
    },
    finish(runId) {
      if (state.activeRunId === runId) set({ ...state, activeRunId: null });
      save(); // written once per answer, not per token
    },
    reset() {
      set({ conversationId: newConversationId(), turns: [], activeRunId: null, streamError: null });
      storage?.removeItem(storageKey(flowId));
    },
  };
}

const sessions = new Map<string, ChatSession>();

export function chatSessionFor(flowId: string): ChatSession {
  // On the server every render gets an empty session: nothing is kept between requests.
  if (typeof window === "undefined") return createChatSession(flowId, null);
  let session = sessions.get(flowId);
  if (!session) {
    session = createChatSession(flowId);
    sessions.set(flowId, session);
  }
  return session;
}

/** The empty chat the server renders; hydration starts from it, then shows the stored conversation. */
const SERVER_SNAPSHOT: ChatSessionState = { conversationId: "", turns: [], activeRunId: null, streamError: null };
const serverSnapshot = () => SERVER_SNAPSHOT;

export function useChatSession(session: ChatSession): ChatSessionState {
  return useSyncExternalStore(session.subscribe, session.get, serverSnapshot);
}
