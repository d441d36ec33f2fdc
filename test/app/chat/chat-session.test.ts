import { describe, expect, it } from "vitest";
import { createChatSession, parseStoredChat, serializeChat, type ChatStorage } from "#app/components/chat/chat-session";

function memoryStorage(): ChatStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

function answer(session: ReturnType<typeof createChatSession>, question: string, runId: string, text: string) {
  const turn = session.addTurn(question);
  session.attachRun(turn, runId);
  session.apply(runId, { type: "run.finish", runId, at: 1, status: "succeeded", output: text, error: null, durationMs: 5, usage: { promptTokens: 1, completionTokens: 1 }, failedToolCalls: 0 });
  session.finish(runId);
}

describe("the test chat's conversation", () => {
  it("outlives a reload: a new session for the same flow has the same conversation and answers", () => {
    const storage = memoryStorage();
    const first = createChatSession("flow_1", storage);
    answer(first, "Hello?", "run_1", "Hi there");
    answer(first, "And you?", "run_2", "Fine");

    const reloaded = createChatSession("flow_1", storage);
    expect(reloaded.get().conversationId).toBe(first.get().conversationId);
    expect(reloaded.get().turns.map((t) => [t.question, t.run?.answer])).toEqual([
      ["Hello?", "Hi there"],
      ["And you?", "Fine"],
    ]);
    // New turns after the reload get ids of their own.
    const next = reloaded.addTurn("Third");
    expect(new Set(reloaded.get().turns.map((t) => t.id)).size).toBe(3);
    expect(next).not.toBe("turn-1");
    // Another flow's chat is separate.
    expect(createChatSession("flow_2", storage).get().turns).toEqual([]);
  });

  it("New chat forgets the stored conversation", () => {
    const storage = memoryStorage();
    const session = createChatSession("flow_1", storage);
    answer(session, "Hello?", "run_1", "Hi");
    session.reset();
    expect(storage.data.size).toBe(0);
    expect(createChatSession("flow_1", storage).get().turns).toEqual([]);
  });

  it("stores an answer that was still arriving as stopped, and reads nothing from a damaged entry", () => {
    const storage = memoryStorage();
    const session = createChatSession("flow_1", storage);
    const turn = session.addTurn("Long one");
    session.attachRun(turn, "run_9");
    const stored = parseStoredChat(serializeChat(session.get()));
    expect(stored?.turns[0]?.run).toMatchObject({ status: "cancelled", error: expect.stringContaining("reloaded") });
    expect(parseStoredChat("{oops")).toBeNull();
    expect(parseStoredChat(JSON.stringify({ v: 99, conversationId: "c", turns: [] }))).toBeNull();
    storage.setItem("skyloom.chat.flow_3", "not json");
    expect(createChatSession("flow_3", storage).get().turns).toEqual([]);
  });
});
