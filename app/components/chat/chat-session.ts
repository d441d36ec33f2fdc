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

function createChatSession(): ChatSession {
  let state: ChatSessionState = { conversationId: newConversationId(), turns: [], activeRunId: null, streamError: null };
  const listeners = new Set<() => void>();
  const set = (next: ChatSessionState) => {
    state = next;
    listeners.forEach((l) => l());
  };
  const updateTurn = (match: (t: ChatTurn) => boolean, change: (t: ChatTurn) => ChatTurn) =>
    set({ ...state, turns: state.turns.map((t) => (match(t) ? change(t) : t)) });
  let counter = 0;
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
      return id;
    },
    attachRun(turnId, runId) {
      set({ ...state, activeRunId: runId, turns: state.turns.map((t) => (t.id === turnId ? { ...t, run: emptyRunView(runId) } : t)) });
    },
    failTurn(turnId, message) {
      updateTurn((t) => t.id === turnId, (t) => ({ ...t, startError: message }));
    },
    apply(runId, event) {
      updateTurn((t) => t.run?.runId === runId, (t) => ({ ...t, run: applyRunEvent(t.run as RunView, event) }));
    },
    setStreamError(message) {
      set({ ...state, streamError: message });
    },
    finish(runId) {
      if (state.activeRunId === runId) set({ ...state, activeRunId: null });
    },
    reset() {
      set({ conversationId: newConversationId(), turns: [], activeRunId: null, streamError: null });
    },
  };
}

const sessions = new Map<string, ChatSession>();

export function chatSessionFor(flowId: string): ChatSession {
  let session = sessions.get(flowId);
  if (!session) {
    session = createChatSession();
    sessions.set(flowId, session);
  }
  return session;
}

export function useChatSession(session: ChatSession): ChatSessionState {
  return useSyncExternalStore(session.subscribe, session.get, session.get);
}
