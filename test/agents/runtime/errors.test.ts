import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeErrorEvent, RunEvent, ToolCallEvent, ToolResultEvent } from "#agents/runtime/events";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { graphOf, runGraph, testCapabilities } from "./support";

// Errors blame the block at fault, by its name, and say what to check; tool calls are events.
let model: DevModelServer;
let api: Server;
let apiUrl: string;
// A port nothing listens on (taken, then let go): connecting there is refused at once.
let DEAD_URL: string;

beforeAll(async () => {
  model = await startDevModelServer();
  api = createServer((_req, res) => {
    res.writeHead(503, { "content-type": "text/plain" });
    res.end("the weather service is down");
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", () => r()));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  DEAD_URL = `http://127.0.0.1:${deadPort}`;
});
afterAll(async () => {
  await model.close();
  await new Promise((r) => api.close(r));
});

/** Input → Agent (with a Chat Model labelled "GPT" and the given tools) → Output. */
function agentFlow(modelConfig: Record<string, unknown>, tools: { id: string; type: string; config?: unknown }[] = []) {
  const graph = graphOf(
    [
      { id: "in", type: "io.chat-input" },
      { id: "model", type: "model.openai", config: modelConfig },
      { id: "agent", type: "agent.tools", config: { maxIterations: 4 } },
      { id: "out", type: "io.chat-output" },
      ...tools,
    ],
    ["in.message -> agent.prompt", "model.model -> agent.model", "agent.text -> out.message", ...tools.map((t) => `${t.id}.tool -> agent.tools`)],
  );
  const modelNode = graph.nodes.find((n) => n.id === "model");
  if (modelNode) modelNode.ui.label = "GPT";
  return graph;
}

const errorsOf = (events: RunEvent[]) => events.filter((e): e is NodeErrorEvent => e.type === "node.error");

describe("a model that cannot be reached from inside an Agent", () => {
  it("is the Chat Model's failure, named by its label and URL, and the Agent only stopped", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const { result, events } = await runGraph(agentFlow({ baseUrl: `${DEAD_URL}/v1` }), "hello", capabilities);

    expect(result.status).toBe("failed");
    expect(result.failedNodeId).toBe("model");
    const [modelError, agentStop] = errorsOf(events);
    expect(modelError).toMatchObject({ nodeId: "model", blockType: "model.openai" });
    expect(modelError?.message).toMatch(new RegExp(`^Could not connect to ${DEAD_URL}/v1: .*ECONNREFUSED.* Check the Base URL\\.$`));
    expect(modelError?.causedBy).toBeUndefined();
    expect(agentStop).toMatchObject({ nodeId: "agent", causedBy: "model", message: 'Stopped because Chat Model "GPT" failed.' });
    // The model had handed itself on (node.output) before the Agent called it; the error comes after.
    const modelOutput = events.findIndex((e) => e.type === "node.output" && e.nodeId === "model");
    expect(modelOutput).toBeGreaterThan(-1);
    expect(modelOutput).toBeLessThan(events.indexOf(modelError as RunEvent));

    expect(result.error?.startsWith(`Chat Model "GPT": Could not connect to ${DEAD_URL}/v1: `)).toBe(true);
    expect(result.error).toContain("Check the Base URL.");
    expect(result.error).not.toMatch(/\(model\)|\bagent\b/);
  });

  it("an error status from the model API names the URL and says what to check", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    // The api server answers 503 to everything, chat completions included.
    const { result, events } = await runGraph(agentFlow({ baseUrl: `${apiUrl}/v1`, model: "gpt-x" }), "hello", capabilities);
    expect(result.failedNodeId).toBe("model");
    expect(errorsOf(events)[0]?.message).toMatch(new RegExp(`^The model API at ${apiUrl}/v1 answered 503 for "gpt-x": `));
  });

  it("a Chat Model without a label is named by its block's title", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = agentFlow({ baseUrl: `${DEAD_URL}/v1` });
    delete (graph.nodes[1] as { ui: { label?: string } }).ui.label;
    const { result, events } = await runGraph(graph, "hello", capabilities);
    expect(result.error).toMatch(/^Chat Model: Could not connect/);
    expect(errorsOf(events)[1]?.message).toBe("Stopped because Chat Model failed.");
  });
});

describe("a misconfigured block", () => {
  it("is refused before the run, named by its label", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const { result } = await runGraph(agentFlow({ temperature: 5 }), "hello", capabilities);
    expect(result).toMatchObject({ status: "failed", failedNodeId: "model" });
    expect(result.error).toBe('Fix this before running: Chat Model "GPT": temperature: Temperature is between 0 and 2 (E201)');
  });
});

describe("tool calls", () => {
  const httpTool = (url: string) => ({ id: "http", type: "tool.http", config: { name: "weather", description: "Weather for a city", url } });

  it("a failing HTTP tool is a tool.result error attributed to the tool's node; the run succeeds with the failure counted", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const { result, events } = await runGraph(agentFlow({}, [httpTool(`${DEAD_URL}/weather?city={city}`)]), "weather in Paris", capabilities);

    const call = events.find((e): e is ToolCallEvent => e.type === "tool.call");
    expect(call).toMatchObject({ nodeId: "agent", toolNodeId: "http", tool: "weather", iteration: 1, args: { city: "weather in Paris" } });
    const ended = events.find((e): e is ToolResultEvent => e.type === "tool.result");
    expect(ended).toMatchObject({ nodeId: "agent", toolNodeId: "http", callId: call?.callId, ok: false });
    expect(ended?.ok === false && ended.error).toMatch(new RegExp(`^GET ${DEAD_URL}/weather failed: .*ECONNREFUSED`));
    // The query string (which may carry a key typed into the URL) is left out of the message.
    expect(ended?.ok === false && ended.error).not.toContain("city=");

    // The model was told, and answered anyway: the run succeeded, with one failed call.
    expect(result.status).toBe("succeeded");
    expect(result.output).toContain(`weather returned Error: GET ${DEAD_URL}/weather failed`);
    expect(result.failedToolCalls).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: "run.finish", status: "succeeded", failedToolCalls: 1 });
    // The trace keeps the call with the Agent's step.
    const agentOutput = events.find((e) => e.type === "node.output" && e.nodeId === "agent");
    expect(agentOutput).toMatchObject({ detail: { toolCalls: [{ tool: "weather", toolNodeId: "http", ok: false, iteration: 1 }] } });
  });

  it("an error status from the API is a failed call too, with the body", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const { result, events } = await runGraph(agentFlow({}, [httpTool(`${apiUrl}/weather?city={city}`)]), "weather in Rome", capabilities);
    const ended = events.find((e): e is ToolResultEvent => e.type === "tool.result");
    expect(ended).toMatchObject({ ok: false, error: `GET ${apiUrl}/weather answered HTTP 503: the weather service is down` });
    expect(result.failedToolCalls).toBe(1);
  });

  it("a tool that works is a tool.result with its result, and nothing counts as failed", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const { result, events } = await runGraph(agentFlow({}, [{ id: "calc", type: "tool.calculator" }]), "use the calculator on 6 * 7", capabilities);
    expect(events.filter((e) => e.type === "tool.call" || e.type === "tool.result").map((e) => e.type)).toEqual(["tool.call", "tool.result"]);
    expect(events.find((e) => e.type === "tool.result")).toMatchObject({ toolNodeId: "calc", ok: true, result: "42" });
    expect(result).toMatchObject({ status: "succeeded", failedToolCalls: 0 });
  });
});

describe("a failure on one branch", () => {
  it("stops the others without blaming them", async () => {
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "slow", type: "model.openai" },
        // Valid, but fails at run time: "hello" holds no JSON.
        { id: "broken", type: "output.structured" },
        { id: "o1", type: "io.chat-output" },
        { id: "o2", type: "io.chat-output" },
      ],
      ["in.message -> slow.prompt", "in.message -> broken.text", "slow.text -> o1.message", "broken.text -> o2.message"],
    );
    (graph.nodes[2] as { ui: { label?: string } }).ui.label = "Greeting";
    const slowModel = await startDevModelServer({ chunkDelayMs: 100 });
    try {
      const { capabilities } = testCapabilities(slowModel.baseUrl);
      const { result, events } = await runGraph(graph, "hello", capabilities);
      expect(result.failedNodeId).toBe("broken");
      expect(result.error).toMatch(/^Structured Output "Greeting": The text holds no JSON/);
      expect(errorsOf(events).find((e) => e.nodeId === "slow")).toMatchObject({ causedBy: "broken", message: 'Stopped because Structured Output "Greeting" failed.' });
    } finally {
      await slowModel.close();
    }
  });
});
