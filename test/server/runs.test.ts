import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "#agents/runtime/events";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";

let backend: TestBackend;
let alice: TestClient;

beforeAll(async () => {
  backend = await createTestBackend();
  alice = await backend.signedUpClient("alice@example.com", "Alice");
});
afterAll(async () => {
  await backend.close();
});

async function collect(events: AsyncIterable<unknown>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  // The subscription yields tracked envelopes: [index, event, marker].
  for await (const e of events) out.push((e as [string, RunEvent])[1]);
  return out;
}

describe("run router", () => {
  it("runs the 4-block flow on the local development model, streams tokens and stores the trace", async () => {
    const flow = await alice.trpc.flow.create({ name: "Hello", graph: helloAgentGraph() });
    const { runId } = await alice.trpc.run.start({ flowId: flow.id, input: "What is Skyloom?", conversationId: "conv-1" });
    const events = await collect(await alice.trpc.run.events({ id: runId }));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("run.start");
    expect(types.at(-1)).toBe("run.finish");
    const finish = events.at(-1) as Extract<RunEvent, { type: "run.finish" }>;
    expect(finish.status).toBe("succeeded");
    expect(finish.output).toContain('You said: "You are a friendly assistant');
    expect(finish.output).toContain("not a language model");
    const tokens = events.filter((e): e is Extract<RunEvent, { type: "token" }> => e.type === "token");
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.every((t) => t.nodeId === "model" && t.toOutput)).toBe(true);
    expect(tokens.map((t) => t.text).join("")).toBe(finish.output);
    expect(finish.usage.completionTokens).toBeGreaterThan(0);

    const run = await alice.trpc.run.get({ id: runId });
    expect(run.status).toBe("succeeded");
    expect(run.output).toBe(finish.output);
    expect(run.steps.map((s) => s.nodeId)).toEqual(["input", "prompt", "model", "output"]);
    expect(run.steps.every((s) => s.status === "succeeded" && s.durationMs !== null)).toBe(true);
    expect(run.steps[1]?.inputs).toEqual({ input: "What is Skyloom?" });
    expect(run.steps[2]?.outputs?.model).toEqual({ "chat-model": { model: "skyloom-dev", baseUrl: "default" } });

    const list = await alice.trpc.run.list({ flowId: flow.id });
    expect(list.map((r) => r.id)).toEqual([runId]);

    // A finished run replays the same node events from the stored trace.
    const replay = await collect(await alice.trpc.run.events({ id: runId }));
    expect(replay.filter((e) => e.type !== "token").map((e) => e.type)).toEqual(types.filter((t) => t !== "token"));
  });
});

describe("runs: tenancy, cancel, memory, credentials", () => {
  it("another team cannot see, follow or cancel a run", async () => {
    const flow = await alice.trpc.flow.create({ name: "Private", graph: helloAgentGraph() });
    const { runId } = await alice.trpc.run.start({ flowId: flow.id, input: "secret question", conversationId: "c-private" });
    await collect(await alice.trpc.run.events({ id: runId }));
    const mallory = await backend.signedUpClient("mallory@example.com");
    await expect(mallory.trpc.run.get({ id: runId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(mallory.trpc.run.cancel({ id: runId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(collect(await mallory.trpc.run.events({ id: runId }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await mallory.trpc.run.list({})).toEqual([]);
    await expect(mallory.trpc.run.start({ flowId: flow.id, input: "x", conversationId: "c" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("rejects an empty message and a bad conversation id, writing nothing", async () => {
    const flow = await alice.trpc.flow.create({ name: "Validation", graph: helloAgentGraph() });
    await expect(alice.trpc.run.start({ flowId: flow.id, input: "", conversationId: "c" })).rejects.toThrow("Type a message first");
    await expect(alice.trpc.run.start({ flowId: flow.id, input: "hi", conversationId: "has spaces" })).rejects.toThrow("conversationId:");
    expect(await alice.trpc.run.list({ flowId: flow.id })).toEqual([]);
  });

  it("keeps conversation memory per conversation id, in SQLite", async () => {
    const graph = helloAgentGraph();
    graph.nodes.push({ id: "memory", type: "memory.conversation", version: 1, config: { windowSize: 10 }, ui: { x: 580, y: 240 } });
    graph.edges.push({ id: "e4", from: { node: "memory", port: "memory" }, to: { node: "model", port: "memory" } });
    const flow = await alice.trpc.flow.create({ name: "Memory", graph });
    const ask = async (input: string, conversationId: string) => {
      const { runId } = await alice.trpc.run.start({ flowId: flow.id, input, conversationId });
      const events = await collect(await alice.trpc.run.events({ id: runId }));
      return (events.at(-1) as Extract<RunEvent, { type: "run.finish" }>).output ?? "";
    };
    expect(await ask("first", "conv-a")).toContain("This is turn 1");
    expect(await ask("second", "conv-a")).toContain("This is turn 2");
    expect(await ask("third", "conv-a")).toContain("This is turn 3");
    expect(await ask("elsewhere", "conv-b")).toContain("This is turn 1");
    const rows = backend.sqlite.prepare("select count(*) as n from conversation_messages where conversation_id = 'conv-a'").get() as { n: number };
    expect(rows.n).toBe(6);
  });
});

describe("runs: errors blame the block at fault, tool failures are kept", () => {
  const node = (id: string, type: string, config: unknown = {}, label?: string) => ({ id, type, version: 1, config, ui: { x: 0, y: 0, ...(label ? { label } : {}) } });
  const edge = (id: string, from: string, fromPort: string, to: string, toPort: string) => ({ id, from: { node: from, port: fromPort }, to: { node: to, port: toPort } });
  const agentGraph = (model: ReturnType<typeof node>, tools: ReturnType<typeof node>[] = []) => ({
    schemaVersion: 1 as const,
    nodes: [node("in", "io.chat-input"), model, node("agent", "agent.tools"), node("out", "io.chat-output"), ...tools],
    edges: [
      edge("e1", "in", "message", "agent", "prompt"),
      edge("e2", model.id, "model", "agent", "model"),
      edge("e3", "agent", "text", "out", "message"),
      ...tools.map((t, i) => edge(`t${i}`, t.id, "tool", "agent", "tools")),
    ],
  });

  it("a Chat Model the Agent cannot reach is stored as failed (keeping its output), the Agent as stopped; the replay says the same", async () => {
    // A loopback base URL: the SSRF guard refuses it (no SKYLOOM_ALLOW_PRIVATE_URLS here).
    const graph = agentGraph(node("gpt", "model.openai", { baseUrl: "http://127.0.0.1:9/v1" }, "GPT"));
    const flow = await alice.trpc.flow.create({ name: "Unreachable model", graph });
    const { runId } = await alice.trpc.run.start({ flowId: flow.id, input: "hello", conversationId: "c-unreachable" });
    const live = await collect(await alice.trpc.run.events({ id: runId }));

    const run = await alice.trpc.run.get({ id: runId });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^Chat Model "GPT": Could not connect to http:\/\/127\.0\.0\.1:9\/v1: Refused to connect to 127\.0\.0\.1/);
    const steps = new Map(run.steps.map((s) => [s.nodeId, s]));
    expect(steps.get("gpt")).toMatchObject({ status: "failed", outputs: { model: { "chat-model": { baseUrl: "http://127.0.0.1:9/v1" } } } });
    expect(steps.get("gpt")?.error).toMatch(/^Could not connect to http:\/\/127\.0\.0\.1:9\/v1/);
    expect(steps.get("agent")).toMatchObject({ status: "stopped", error: 'Stopped because Chat Model "GPT" failed.', detail: { causedBy: "gpt" } });

    const replay = await collect(await alice.trpc.run.events({ id: runId }));
    const errors = (events: RunEvent[]) => events.filter((e) => e.type === "node.error").map((e) => e.type === "node.error" && [e.nodeId, e.causedBy ?? null, e.message]);
    expect(errors(replay)).toEqual(errors(live));
  });

  it("a failing tool call is counted on the run (listed too), kept with the Agent's step, and replayed as tool events", async () => {
    const graph = agentGraph(node("model", "model.openai"), [
      node("http", "tool.http", { name: "weather", description: "Weather for a city", url: "http://127.0.0.1:9/weather?city={city}" }, "Weather API"),
    ]);
    const flow = await alice.trpc.flow.create({ name: "Failing tool", graph });
    const { runId } = await alice.trpc.run.start({ flowId: flow.id, input: "weather in Oslo", conversationId: "c-tool" });
    const live = await collect(await alice.trpc.run.events({ id: runId }));
    expect(live.at(-1)).toMatchObject({ type: "run.finish", status: "succeeded", failedToolCalls: 1 });

    const run = await alice.trpc.run.get({ id: runId });
    expect(run).toMatchObject({ status: "succeeded", failedToolCalls: 1 });
    const agentStep = run.steps.find((s) => s.nodeId === "agent");
    expect(agentStep?.detail).toMatchObject({ toolCalls: [{ tool: "weather", toolNodeId: "http", ok: false, args: { city: "weather in Oslo" } }] });
    expect((await alice.trpc.run.list({ flowId: flow.id }))[0]).toMatchObject({ id: runId, status: "succeeded", failedToolCalls: 1 });

    const replay = await collect(await alice.trpc.run.events({ id: runId }));
    const toolEvents = (events: RunEvent[]) => events.filter((e) => e.type === "tool.call" || e.type === "tool.result").map((e) => ({ ...e, at: 0, ...("durationMs" in e ? { durationMs: 0 } : {}) }));
    expect(toolEvents(replay)).toEqual(toolEvents(live));
    expect(replay.at(-1)).toMatchObject({ type: "run.finish", failedToolCalls: 1 });
  });
});
