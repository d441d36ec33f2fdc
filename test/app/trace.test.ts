import { describe, expect, it } from "vitest";
import type { RunEvent } from "#agents/runtime/events";
import { readableValue } from "#app/components/chat/readable";
import { applyRunEvent, emptyRunView, failedToolCalls, toolFailureNote, viewOfSteps } from "#app/components/chat/trace";

const r = "run_1";
const start = (nodeId: string, blockType: string, at: number): RunEvent => ({ type: "node.start", runId: r, at, nodeId, blockType, inputs: {} });
const output = (nodeId: string, blockType: string, at: number, outputs: Record<string, unknown> = {}): RunEvent => ({
  type: "node.output",
  runId: r,
  at,
  nodeId,
  blockType,
  durationMs: 5,
  outputs,
});
const fold = (events: RunEvent[]) => events.reduce(applyRunEvent, emptyRunView(r));

describe("the run view folded from events", () => {
  it("a Chat Model that fails after its output keeps it and is the failed node; the Agent is only stopped", () => {
    const view = fold([
      start("gpt", "model.openai", 1),
      output("gpt", "model.openai", 2, { model: { "chat-model": { model: "gpt-x", baseUrl: "http://127.0.0.1:1/v1" } } }),
      start("agent", "agent.tools", 3),
      { type: "node.error", runId: r, at: 9, nodeId: "gpt", blockType: "model.openai", durationMs: 5, message: "Could not connect to http://127.0.0.1:1/v1: refused. Check the Base URL." },
      { type: "node.error", runId: r, at: 9, nodeId: "agent", blockType: "agent.tools", durationMs: 6, message: 'Stopped because Chat Model "GPT" failed.', causedBy: "gpt" },
    ]);
    const [gpt, agent] = view.nodes;
    expect(gpt).toMatchObject({ state: "error", durationMs: 5, error: expect.stringContaining("http://127.0.0.1:1/v1") });
    expect(gpt?.outputs).toEqual({ model: { "chat-model": { model: "gpt-x", baseUrl: "http://127.0.0.1:1/v1" } } });
    expect(agent).toMatchObject({ state: "stopped", causedBy: "gpt" });
  });

  it("a failed tool call marks the tool's block and is counted; the stored steps fold to the same view", () => {
    const call = { callId: "c1", tool: "weather", toolNodeId: "http", iteration: 1 };
    const events: RunEvent[] = [
      start("http", "tool.http", 1),
      output("http", "tool.http", 2),
      start("agent", "agent.tools", 3),
      { type: "tool.call", runId: r, at: 4, nodeId: "agent", ...call, args: { city: "Oslo" } },
      { type: "tool.result", runId: r, at: 5, nodeId: "agent", ...call, durationMs: 1, ok: false, error: "GET http://x/weather failed: refused" },
      { type: "node.output", runId: r, at: 6, nodeId: "agent", blockType: "agent.tools", durationMs: 3, outputs: { text: "sorry" }, detail: { iterations: 2, toolCalls: [{ ...call, args: { city: "Oslo" }, ok: false, error: "GET http://x/weather failed: refused", durationMs: 1 }] } },
    ];
    const live = fold(events);
    expect(live.toolCalls).toEqual([{ ...call, agentNodeId: "agent", args: { city: "Oslo" }, state: "error", result: null, error: "GET http://x/weather failed: refused", durationMs: 1 }]);
    expect(live.nodes.find((n) => n.nodeId === "http")).toMatchObject({ state: "error", error: "GET http://x/weather failed: refused" });
    expect(live.nodes.find((n) => n.nodeId === "agent")).toMatchObject({ state: "done" });
    expect(failedToolCalls(live)).toBe(1);
    expect(toolFailureNote(failedToolCalls(live))).toBe("1 tool call failed");

    const stored = viewOfSteps(r, [
      { nodeId: "http", blockType: "tool.http", status: "succeeded", inputs: {}, outputs: {}, detail: null, error: null, startedAt: 1, finishedAt: 2, durationMs: 5 },
      { nodeId: "agent", blockType: "agent.tools", status: "succeeded", inputs: {}, outputs: { text: "sorry" }, detail: (events[5] as { detail: Record<string, unknown> }).detail, error: null, startedAt: 3, finishedAt: 6, durationMs: 3 },
    ]);
    expect(stored.toolCalls).toEqual(live.toolCalls);
    expect(stored.nodes.map((n) => [n.nodeId, n.state, n.error])).toEqual(live.nodes.map((n) => [n.nodeId, n.state, n.error]));
  });
});

describe("readableValue", () => {
  it("shows values as text: strings as they are, models and tools by name, objects as key: value lines", () => {
    expect(readableValue("What does\nSkyloom do?")).toBe("What does\nSkyloom do?");
    expect(readableValue({ "chat-model": { model: "skyloom-dev", baseUrl: "default" } })).toBe(`Chat model "skyloom-dev" (Skyloom's default model server)`);
    expect(readableValue({ input: "hello", tools: [{ tool: { name: "weather", description: "Weather for a city" } }] })).toBe(
      'input: hello\ntools:\n  • Tool "weather": Weather for a city',
    );
    expect(readableValue({ city: "Oslo", limit: 3, nested: { deep: true } })).toBe("city: Oslo\nlimit: 3\nnested:\n  deep: true");
    // A Tool block's output port is called "tool", like the kind: the port is still a port.
    expect(readableValue({ tool: { tool: { name: "weather", description: "" } } })).toBe('tool: Tool "weather"');
    expect(readableValue({ memory: { memory: { key: "memory", windowSize: 10 } } })).toBe('memory: Memory "memory" (last 10 messages)');
  });
});
