import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { SandboxPool } from "#server/sandbox/pool";
import type { DevRequest } from "#server/dev-model/replies";
import { graphOf, runGraph, testCapabilities } from "../runtime/support";

let model: DevModelServer;
const requests: DevRequest[] = [];
let api: Server;
let apiUrl: string;
let sandbox: SandboxPool;
const apiCalls: { url: string; auth: string | undefined; version: string | undefined; body: string }[] = [];

beforeAll(async () => {
  sandbox = new SandboxPool({ size: 1, perTeam: 1 });
  sandbox.start();
  model = await startDevModelServer({
    override: (r) => {
      requests.push(r);
      return undefined;
    },
  });
  api = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      apiCalls.push({ url: req.url ?? "", auth: req.headers.authorization, version: req.headers["x-api-version"] as string | undefined, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ city: decodeURIComponent((req.url ?? "").split("city=")[1] ?? ""), forecast: "sunny" }));
    });
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", () => r()));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sandbox.stop();
  await model.close();
  await new Promise((r) => api.close(r));
});

const agentGraph = (tools: { id: string; type: string; config?: unknown; version?: number }[]) =>
  graphOf(
    [
      { id: "in", type: "io.chat-input" },
      { id: "model", type: "model.openai" },
      { id: "memory", type: "memory.conversation", config: { windowSize: 10 } },
      { id: "agent", type: "agent.tools", config: { maxIterations: 4 } },
      { id: "out", type: "io.chat-output" },
      ...tools,
    ],
    [
      "in.message -> agent.prompt",
      "model.model -> agent.model",
      "memory.memory -> agent.memory",
      "agent.text -> out.message",
      ...tools.map((t) => `${t.id}.tool -> agent.tools`),
    ],
  );

describe("agent.tools", () => {
  it("an agent with two tools and memory over three turns", async () => {
    const { capabilities, memory } = testCapabilities(model.baseUrl, { sandbox: sandbox.forTeam("team_test") });
    const graph = agentGraph([
      { id: "calc", type: "tool.calculator" },
      {
        id: "code",
        type: "tool.code",
        config: { name: "doubler", description: "Doubles a number.", code: "return { doubled: input.value * 2 };" },
      },
    ]);

    // Turn 1: the model calls the calculator; its result goes back to the model.
    const first = await runGraph(graph, "Please use the calculator on 12 * (3 + 4)", capabilities);
    expect(first.result.status).toBe("succeeded");
    expect(first.result.output).toContain("Tool results: calculator returned 84");
    const agentOut = first.events.find((e) => e.type === "node.output" && e.nodeId === "agent");
    expect(agentOut).toMatchObject({
      detail: { iterations: 2, toolCalls: [{ iteration: 1, tool: "calculator", args: { expression: "12 * (3 + 4)" }, result: "84" }] },
    });
    const toolRequest = requests.at(-2) as DevRequest;
    expect(toolRequest.tools?.map((t) => t.function.name).sort()).toEqual(["calculator", "doubler"]);
    expect(requests.at(-1)?.messages.at(-1)).toMatchObject({ role: "tool", content: "84" });

    // Turn 2: the code tool, run in the sandbox.
    const second = await runGraph(graph, "Use the doubler on 21", capabilities);
    expect(second.result.output).toContain('Tool results: doubler returned {"doubled":42}');

    // Turn 3: memory carries the first two turns into the model's context.
    const third = await runGraph(graph, "What did I ask before?", capabilities);
    expect(third.result.status).toBe("succeeded");
    expect(third.result.output).toContain("This is turn 3 of our conversation");
    const lastRequest = requests.at(-1) as DevRequest;
    const contents = lastRequest.messages.map((m) => (typeof m.content === "string" ? m.content : ""));
    expect(contents).toContain("Please use the calculator on 12 * (3 + 4)");
    expect(contents).toContain("Use the doubler on 21");
    expect(memory.get("conv_test/memory")).toHaveLength(6);
  });

  it("calls tools the same way when the model answers in one piece (nobody follows the tokens)", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const before = requests.length;
    const { result, events } = await runGraph(agentGraph([{ id: "calc", type: "tool.calculator" }]), "Please use the calculator on 6 * 7", capabilities, {
      conversationId: "conv_whole",
      streamTokens: false,
    });
    expect(result.status).toBe("succeeded");
    expect(result.output).toContain("Tool results: calculator returned 42");
    expect(events.some((e) => e.type === "token")).toBe(false);
    const asked = requests.slice(before);
    expect(asked).toHaveLength(2);
    expect(asked.every((r) => !r.stream)).toBe(true);
    expect(asked[1]?.messages.at(-1)).toMatchObject({ role: "tool", content: "42" });
  });

  it("stops after max iterations when the model keeps calling tools", async () => {
    const looping = await startDevModelServer({ override: () => ({ kind: "tool_calls", calls: [{ name: "calculator", arguments: { expression: "1+1" } }] }) });
    try {
      const { capabilities } = testCapabilities(looping.baseUrl);
      const { result } = await runGraph(agentGraph([{ id: "calc", type: "tool.calculator" }]), "loop", capabilities);
      expect(result.status).toBe("failed");
      expect(result.error).toContain("still calling tools after 4 iterations");
    } finally {
      await looping.close();
    }
  });

  it("fills {name} in the instructions from the input wired to it", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "topic", type: "prompt.template", config: { template: "cooking" } },
        { id: "model", type: "model.openai" },
        { id: "agent", type: "agent.tools", version: 2, config: { systemPrompt: "Talk only about {topic}; answer as {{\"reply\": …}}." } },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> agent.prompt", "topic.prompt -> agent.topic", "model.model -> agent.model", "agent.text -> out.message"],
    );
    const { result } = await runGraph(graph, "Hello", capabilities);
    expect(result.status).toBe("succeeded");
    expect(requests.at(-1)?.messages[0]).toMatchObject({ role: "system", content: 'Talk only about cooking; answer as {"reply": …}.' });
  });

  it("a failing tool is reported to the model, which can recover", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const { result } = await runGraph(agentGraph([{ id: "calc", type: "tool.calculator" }]), "calculator: 1/0", capabilities);
    expect(result.status).toBe("succeeded");
    expect(result.output).toContain("calculator returned Error: Division by zero.");
  });
});

describe("tool.http", () => {
  it("fills the URL from the agent's arguments and sends the credential", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = agentGraph([
      {
        id: "http",
        type: "tool.http",
        version: 2,
        config: {
          name: "weather",
          description: "Weather for a city",
          url: `${apiUrl}/weather?city={city}`,
          credentialId: "cred_test",
          headers: { "X-Api-Version": "2024-06" },
        },
      },
    ]);
    const { result } = await runGraph(graph, "weather in Paris & Rome", capabilities);
    expect(result.status).toBe("succeeded");
    expect(apiCalls.at(-1)).toMatchObject({
      url: "/weather?city=weather%20in%20Paris%20%26%20Rome",
      auth: "Bearer s3cret-value",
      version: "2024-06",
    });
    expect(result.output).toContain('"forecast":"sunny"');
  });

  it("sends a JSON body with values escaped", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = agentGraph([
      { id: "http", type: "tool.http", config: { name: "post_note", description: "Posts a note", method: "POST", url: `${apiUrl}/notes`, body: '{"note":"{text}"}' } },
    ]);
    await runGraph(graph, 'post_note: say "hi"', capabilities);
    expect(JSON.parse(apiCalls.at(-1)?.body ?? "")).toEqual({ note: 'post_note: say "hi"' });
  });
});
