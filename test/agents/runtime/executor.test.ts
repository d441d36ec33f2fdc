import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "#agents/runtime/events";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import type { DevReply, DevRequest } from "#server/dev-model/replies";
import { graphOf, helloGraph, runGraph, testCapabilities } from "./support";

// One local OpenAI-compatible server per pace; tests script its answers through `script`.
let script: ((r: DevRequest) => DevReply | undefined) | undefined;
let fast: DevModelServer;
let slow: DevModelServer;

beforeAll(async () => {
  fast = await startDevModelServer({ override: (r) => script?.(r) });
  slow = await startDevModelServer({ chunkDelayMs: 60, override: (r) => script?.(r) });
});
afterAll(async () => {
  await fast.close();
  await slow.close();
});
beforeEach(() => {
  script = undefined;
});

const types = (events: RunEvent[]) => events.map((e) => (e.type === "token" ? "token" : `${e.type}${"nodeId" in e ? `:${e.nodeId}` : ""}`));

describe("executeRun", () => {
  it("runs Input → Prompt → Model → Output in order, streams tokens and records usage", async () => {
    const { capabilities, usage } = testCapabilities(fast.baseUrl);
    const { result, events } = await runGraph(helloGraph(), "hi there", capabilities);
    expect(result.status).toBe("succeeded");
    expect(result.output).toContain('You said: "Question: hi there"');
    const nonToken = types(events).filter((t) => t !== "token");
    expect(nonToken).toEqual([
      "run.start",
      "node.start:in",
      "node.output:in",
      "node.start:prompt",
      "node.output:prompt",
      "node.start:model",
      "node.output:model",
      "node.start:out",
      "node.output:out",
      "run.finish",
    ]);
    const tokens = events.filter((e) => e.type === "token");
    expect(tokens.length).toBeGreaterThan(5);
    expect(tokens.map((t) => (t.type === "token" ? t.text : "")).join("")).toBe(result.output);
    // Tokens arrive between the model's start and its output.
    const firstToken = events.findIndex((e) => e.type === "token");
    expect(firstToken).toBeGreaterThan(events.findIndex((e) => e.type === "node.start" && e.nodeId === "model"));
    expect(firstToken).toBeLessThan(events.findIndex((e) => e.type === "node.output" && e.nodeId === "model"));
    expect(usage).toHaveLength(1);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(result.usage).toEqual({ promptTokens: usage[0]?.promptTokens, completionTokens: usage[0]?.completionTokens });
  });

  it("asks the model for the whole answer, without tokens, when nobody follows them", async () => {
    const asked: DevRequest[] = [];
    script = (r) => {
      asked.push(r);
      return undefined;
    };
    const { capabilities, usage } = testCapabilities(fast.baseUrl);
    const { result, events } = await runGraph(helloGraph(), "hi there", capabilities, { streamTokens: false });
    expect(result.status).toBe("succeeded");
    expect(result.output).toContain('You said: "Question: hi there"');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.stream).toBeFalsy();
    expect(events.filter((e) => e.type === "token")).toEqual([]);
    expect(usage).toHaveLength(1);
    expect(result.usage.completionTokens).toBeGreaterThan(0);

    // The same graph streamed asks for a stream.
    await runGraph(helloGraph(), "hi there", capabilities);
    expect(asked[1]?.stream).toBe(true);
  });

  it("runs independent branches concurrently", async () => {
    script = () => ({ kind: "text", text: "one two three" });
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "m1", type: "model.openai" },
        { id: "m2", type: "model.openai" },
        { id: "o1", type: "io.chat-output" },
        { id: "o2", type: "io.chat-output" },
      ],
      ["in.message -> m1.prompt", "in.message -> m2.prompt", "m1.text -> o1.message", "m2.text -> o2.message"],
    );
    const { capabilities } = testCapabilities(slow.baseUrl);
    const { result, events } = await runGraph(graph, "go", capabilities);
    expect(result.status).toBe("succeeded");
    const at = (type: string, node: string) => events.findIndex((e) => e.type === type && "nodeId" in e && e.nodeId === node);
    const firstOutput = Math.min(at("node.output", "m1"), at("node.output", "m2"));
    expect(at("node.start", "m1")).toBeLessThan(firstOutput);
    expect(at("node.start", "m2")).toBeLessThan(firstOutput);
    expect(result.output).toBe("one two three\n\none two three");
  });

  it("stops a slow model at the run's time limit", async () => {
    const { capabilities } = testCapabilities(slow.baseUrl);
    const { result, events } = await runGraph(helloGraph(), "a slow question", capabilities, { limits: { timeoutMs: 200 } });
    expect(result.status).toBe("timed_out");
    expect(result.error).toBe("The run took longer than 200 ms (its time limit).");
    const modelError = events.find((e) => e.type === "node.error" && e.nodeId === "model");
    expect(modelError).toMatchObject({ message: "The run took longer than 200 ms (its time limit)." });
    expect(events.at(-1)?.type).toBe("run.finish");
    expect(events.some((e) => e.type === "node.start" && e.nodeId === "out")).toBe(false);
  });

  it("is cancelled through its AbortSignal, mid-stream", async () => {
    const controller = new AbortController();
    const { capabilities } = testCapabilities(slow.baseUrl);
    const started = performance.now();
    const collected: RunEvent[] = [];
    const { result } = await runGraph(helloGraph(), "cancel me", capabilities, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "token") controller.abort();
        collected.push(e);
      },
    });
    expect(result.status).toBe("cancelled");
    expect(collected.find((e) => e.type === "node.error")).toMatchObject({ nodeId: "model", message: "The run was cancelled." });
    expect(result.error).toBe("The run was cancelled.");
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(collected.filter((e) => e.type === "run.finish")).toHaveLength(1);
  });

  it("enforces the step limit", async () => {
    const { capabilities } = testCapabilities(fast.baseUrl);
    const { result } = await runGraph(helloGraph(), "x", capabilities, { limits: { maxSteps: 2 } });
    expect(result.status).toBe("failed");
    expect(result.error).toBe("The run stopped after 2 steps (its step limit).");
  });

  it("refuses a misconfigured block before running anything, naming the node", async () => {
    const graph = helloGraph();
    (graph.nodes[2] as { config: unknown }).config = { temperature: 5 };
    const { capabilities } = testCapabilities(fast.baseUrl);
    const { result, events } = await runGraph(graph, "x", capabilities);
    expect(result.status).toBe("failed");
    expect(result.failedNodeId).toBe("model");
    expect(result.error).toBe("Fix this before running: Chat Model: temperature: Temperature is between 0 and 2 (E201)");
    expect(events.map((e) => e.type)).toEqual(["run.start", "node.error", "run.finish"]);
  });

  it("says which prompt variable has nothing connected, before running anything", async () => {
    const { capabilities } = testCapabilities(fast.baseUrl);
    const { result, events } = await runGraph(helloGraph("{input} and {context}"), "x", capabilities);
    expect(result.status).toBe("failed");
    expect(result.failedNodeId).toBe("prompt");
    expect(result.error).toBe('Fix this before running: Prompt: The input "context" needs a connection. (E202)');
    expect(events.map((e) => e.type)).toEqual(["run.start", "node.error", "run.finish"]);
  });

  it("refuses a wire the compiler rejects (memory into a text input) instead of dropping the memory", async () => {
    let calls = 0;
    script = () => {
      calls += 1;
      return { kind: "text", text: "answered" };
    };
    // As an imported flow file could have it: the memory is wired into the model's system message.
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "memory", type: "memory.conversation" },
        { id: "model", type: "model.openai" },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> model.prompt", "memory.memory -> model.system", "model.text -> out.message"],
    );
    const { capabilities, memory } = testCapabilities(fast.baseUrl);
    const { result, events } = await runGraph(graph, "remember me", capabilities);
    expect(result).toMatchObject({ status: "failed", failedNodeId: "model" });
    expect(result.error).toBe('Fix this before running: Chat Model: A text port cannot take memory. (E106)');
    expect(events.find((e) => e.type === "node.error")).toMatchObject({ nodeId: "model", message: expect.stringContaining("(E106)") });
    expect(events.some((e) => e.type === "node.start")).toBe(false);
    expect(calls).toBe(0);
    expect(memory.size).toBe(0);
  });

  it("refuses a graph with an error anywhere, even on a block the run would not reach", async () => {
    const graph = helloGraph();
    graph.nodes.push({ id: "stray", type: "prompt.template", version: 1, config: { template: "" }, ui: { x: 0, y: 300, label: "Draft" } });
    const { capabilities } = testCapabilities(fast.baseUrl);
    const { result } = await runGraph(graph, "x", capabilities);
    expect(result).toMatchObject({ status: "failed", failedNodeId: "stray" });
    expect(result.error).toMatch(/^Fix these before running: Prompt "Draft": template: Write the prompt template \(E201\)/);
  });

  it("reports a model API error with its status", async () => {
    script = () => ({ kind: "error", status: 500, message: "the GPU caught fire" });
    const { capabilities } = testCapabilities(fast.baseUrl);
    const { result, events } = await runGraph(helloGraph(), "x", capabilities);
    expect(result.status).toBe("failed");
    expect(result.failedNodeId).toBe("model");
    expect(result.error).toMatch(/^Chat Model: The model API at the default model server answered 500 for "skyloom-dev": .*the GPU caught fire/);
    expect(events.find((e) => e.type === "node.error")).toMatchObject({ nodeId: "model" });
  });

  it("runs only what feeds an output: a stray model on the canvas is not called", async () => {
    const graph = helloGraph();
    graph.nodes.push({ id: "stray", type: "model.openai", version: 1, config: {}, ui: { x: 0, y: 300 } });
    const before = fast.completions();
    const { capabilities } = testCapabilities(fast.baseUrl);
    const { result, events } = await runGraph(graph, "x", capabilities);
    expect(result.status).toBe("succeeded");
    expect(fast.completions() - before).toBe(1);
    expect(events.some((e) => "nodeId" in e && e.nodeId === "stray")).toBe(false);
  });

  it("a deployed-endpoint node resolves through the run context, and fails clearly when not deployed", async () => {
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "endpoint", type: "model.endpoint" },
        { id: "agent", type: "agent.tools" },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> agent.prompt", "endpoint.model -> agent.model", "agent.text -> out.message"],
    );
    const undeployed = testCapabilities(fast.baseUrl);
    const failed = await runGraph(graph, "hello", undeployed.capabilities);
    expect(failed.result.status).toBe("failed");
    expect(failed.result.failedNodeId).toBe("endpoint");
    expect(failed.result.error).toContain("Deploy this endpoint first");

    const deployed = testCapabilities(fast.baseUrl, {
      endpoints: { resolve: async () => ({ baseUrl: fast.baseUrl, model: "Qwen/Qwen2.5-7B-Instruct" }) },
    });
    const ok = await runGraph(graph, "hello", deployed.capabilities);
    expect(ok.result.status).toBe("succeeded");
    expect(ok.result.output).toContain('You said: "hello"');
    const endpointOut = ok.events.find((e) => e.type === "node.output" && e.nodeId === "endpoint");
    expect(endpointOut).toMatchObject({ outputs: { model: { "chat-model": { model: "Qwen/Qwen2.5-7B-Instruct", baseUrl: fast.baseUrl } } } });
  });

  it("a workload without the model-endpoint role serves no chat: a container wired as a model fails clearly", async () => {
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "box", type: "workload.container" },
        { id: "agent", type: "agent.tools" },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> agent.prompt", "box.service -> agent.model", "agent.text -> out.message"],
    );
    const resolved: string[] = [];
    const { capabilities } = testCapabilities(fast.baseUrl, {
      endpoints: { resolve: async (node) => (resolved.push(node.id), { baseUrl: fast.baseUrl, model: "x" }) },
    });
    const { result } = await runGraph(graph, "hello", capabilities);
    expect(result).toMatchObject({ status: "failed", failedNodeId: "box" });
    expect(result.error).toBe("Container: A Container serves no model, so a chat cannot use it; connect a block that deploys a model.");
    expect(resolved).toEqual([]);
  });

  it("a router runs one branch and skips the other", async () => {
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        {
          id: "router",
          type: "logic.router",
          config: { mode: "condition", routes: [{ name: "refund", operator: "contains", value: "refund" }] },
        },
        { id: "refundOut", type: "io.chat-output" },
        { id: "model", type: "model.openai" },
        { id: "otherOut", type: "io.chat-output" },
      ],
      ["in.message -> router.input", "router.refund -> refundOut.message", "router.otherwise -> model.prompt", "model.text -> otherOut.message"],
    );
    const { capabilities } = testCapabilities(fast.baseUrl);
    const refund = await runGraph(graph, "I want a refund", capabilities);
    expect(refund.result.output).toBe("I want a refund");
    expect(refund.events.find((e) => e.type === "node.output" && e.nodeId === "model")).toMatchObject({ skipped: true });
    expect(refund.events.find((e) => e.type === "node.output" && e.nodeId === "otherOut")).toMatchObject({ skipped: true });

    const other = await runGraph(graph, "hello", capabilities);
    expect(other.result.output).toContain('You said: "hello"');
    expect(other.events.find((e) => e.type === "node.output" && e.nodeId === "refundOut")).toMatchObject({ skipped: true });
  });

  it("refuses a message over the size limit", async () => {
    const { capabilities } = testCapabilities(fast.baseUrl);
    const { result } = await runGraph(helloGraph(), "x".repeat(101), capabilities, { limits: { maxInputChars: 100 } });
    expect(result.status).toBe("failed");
    expect(result.error).toBe("The message is 101 characters; the limit is 100.");
  });
});
