import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import type { DevRequest } from "#server/dev-model/replies";
import type { ChatModelSpec } from "#agents/runtime/context";
import { graphOf, runGraph, testCapabilities } from "../runtime/support";

let model: DevModelServer;
const requests: DevRequest[] = [];

beforeAll(async () => {
  model = await startDevModelServer({
    override: (r) => {
      requests.push(r);
      return undefined;
    },
  });
});
afterAll(() => model.close());

describe("model.openai", () => {
  it("streams with the configured model, temperature, max tokens, system message and credential base URL", async () => {
    const { capabilities } = testCapabilities("http://127.0.0.1:9/unused", {
      credentials: { resolve: async () => ({ kind: "openai", secret: "sk-test-1234567890", baseUrl: model.baseUrl }) },
    });
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "sys", type: "prompt.template", config: { template: "Be terse." } },
        { id: "model", type: "model.openai", config: { model: "my-model", temperature: 0.2, maxTokens: 300, credentialId: "cred_1" } },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> model.prompt", "sys.prompt -> model.system", "model.text -> out.message"],
    );
    const { result, events } = await runGraph(graph, "hello", capabilities);
    expect(result.status).toBe("succeeded");
    const request = requests.at(-1) as DevRequest;
    expect(request).toMatchObject({ model: "my-model", temperature: 0.2, max_tokens: 300, stream: true });
    expect(request.messages).toEqual([
      { role: "system", content: "Be terse." },
      { role: "user", content: "hello" },
    ]);
    expect(events.filter((e) => e.type === "token").length).toBeGreaterThan(3);
  });

  it("cuts the answer at max tokens", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "model", type: "model.openai", config: { maxTokens: 3 } },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> model.prompt", "model.text -> out.message"],
    );
    const { result } = await runGraph(graph, "hello", capabilities);
    expect(result.output).toBe('You said: "h'); // 3 tokens × 4 characters
  });

  it("a credential with a key and no base URL calls OpenAI with that key, not the default model", async () => {
    const asked: ChatModelSpec[] = [];
    const { capabilities } = testCapabilities(model.baseUrl, {
      credentials: { resolve: async () => ({ kind: "openai", secret: "sk-openai-1234567890" }) },
    });
    const realFactory = capabilities.llm;
    // Records what would be called, then answers from the local server (no internet here).
    capabilities.llm = {
      chatModel: (spec) => {
        asked.push(spec);
        return realFactory.chatModel({ ...spec, baseUrl: model.baseUrl });
      },
    };
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "model", type: "model.openai", config: { baseUrl: "", model: "gpt-4o-mini", credentialId: "cred_openai" } },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> model.prompt", "model.text -> out.message"],
    );
    const { result, events } = await runGraph(graph, "hello", capabilities);
    expect(result.status).toBe("succeeded");
    expect(asked).toEqual([expect.objectContaining({ baseUrl: "https://api.openai.com/v1", apiKey: "sk-openai-1234567890", model: "gpt-4o-mini", trusted: false })]);
    const finished = events.find((e) => e.type === "node.output" && e.nodeId === "model");
    expect(JSON.stringify(finished)).toContain("https://api.openai.com/v1");
  });

  it("without a credential and a base URL, the default model answers (empty base URL)", async () => {
    const asked: ChatModelSpec[] = [];
    const { capabilities } = testCapabilities(model.baseUrl);
    const realFactory = capabilities.llm;
    capabilities.llm = { chatModel: (spec) => (asked.push(spec), realFactory.chatModel(spec)) };
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "model", type: "model.openai", config: { baseUrl: "", model: "gpt-4o-mini", credentialId: null } },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> model.prompt", "model.text -> out.message"],
    );
    expect((await runGraph(graph, "hello", capabilities)).result.status).toBe("succeeded");
    expect(asked[0]).toMatchObject({ baseUrl: "", apiKey: undefined });
  });

  it("an unknown credential fails the node with a clear message", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "model", type: "model.openai", config: { credentialId: "cred_gone" } },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> model.prompt", "model.text -> out.message"],
    );
    const { result } = await runGraph(graph, "hello", capabilities);
    expect(result.failedNodeId).toBe("model");
    expect(result.error).toContain("No credential cred_gone");
  });
});

describe("memory.conversation", () => {
  it("keeps a window of the conversation per conversation id", async () => {
    const { capabilities, memory } = testCapabilities(model.baseUrl);
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "mem", type: "memory.conversation", config: { windowSize: 2, key: "shared" } },
        { id: "model", type: "model.openai" },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> model.prompt", "mem.memory -> model.memory", "model.text -> out.message"],
    );
    await runGraph(graph, "first", capabilities);
    await runGraph(graph, "second", capabilities);
    const third = requests.length;
    await runGraph(graph, "third", capabilities);
    // Window 2: the model sees the last exchange only, then the new message.
    expect(requests[third]?.messages.map((m) => m.content)).toEqual(["second", expect.stringContaining('You said: "second"'), "third"]);
    expect(memory.get("conv_test/shared")).toHaveLength(6);
    // Another conversation starts empty.
    await runGraph(graph, "elsewhere", capabilities, { conversationId: "other" });
    expect(requests.at(-1)?.messages).toHaveLength(1);
  });
});

describe("output.structured", () => {
  const schema = JSON.stringify({
    type: "object",
    properties: { city: { type: "string" }, days: { type: "integer" } },
    required: ["city", "days"],
  });

  it("parses and validates JSON found in text", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "json", type: "output.structured", config: { schema } },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> json.text", "json.text -> out.message"],
    );
    const ok = await runGraph(graph, 'Here: ```json\n{"city":"Oslo","days":3}\n```', capabilities);
    expect(ok.result.output).toBe('{"city":"Oslo","days":3}');
    const bad = await runGraph(graph, '{"city":"Oslo","days":"three"}', capabilities);
    expect(bad.result.status).toBe("failed");
    expect(bad.result.error).toContain("The JSON does not match the schema: days:");
    const none = await runGraph(graph, "no json here", capabilities);
    expect(none.result.error).toContain("The text holds no JSON");
  });

  it("extracts with a model asked for the schema", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "model", type: "model.openai" },
        { id: "json", type: "output.structured", config: { schema } },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> json.text", "model.model -> json.model", "json.text -> out.message"],
    );
    const { result, events } = await runGraph(graph, "A trip to Lima for 5 days", capabilities);
    expect(result.status).toBe("succeeded");
    expect(requests.at(-1)?.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "output" } });
    expect(JSON.parse(result.output ?? "")).toEqual({ city: "A trip to Lima for 5 days", days: 5 });
    expect(events.find((e) => e.type === "node.output" && e.nodeId === "json")).toMatchObject({ outputs: { json: { days: 5 } } });
  });
});

describe("logic.router", () => {
  it("lets a model pick the route", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "model", type: "model.openai" },
        {
          id: "router",
          type: "logic.router",
          config: {
            mode: "model",
            routes: [
              { name: "billing", description: "invoices and payments" },
              { name: "support", description: "problems with the product" },
            ],
          },
        },
        { id: "billingOut", type: "io.chat-output" },
        { id: "supportOut", type: "io.chat-output" },
        { id: "otherOut", type: "io.chat-output" },
      ],
      [
        "in.message -> router.input",
        "model.model -> router.model",
        "router.billing -> billingOut.message",
        "router.support -> supportOut.message",
        "router.otherwise -> otherOut.message",
      ],
    );
    const billing = await runGraph(graph, "My billing is wrong", capabilities);
    expect(billing.result.output).toBe("My billing is wrong");
    expect(billing.events.find((e) => e.type === "node.output" && e.nodeId === "router")).toMatchObject({ detail: { route: "billing" } });
    expect(billing.events.find((e) => e.type === "node.output" && e.nodeId === "supportOut")).toMatchObject({ skipped: true });
    const system = requests.at(-1)?.messages[0]?.content;
    expect(system).toContain("Reply with one of: billing | support | otherwise");

    const other = await runGraph(graph, "What is the weather", capabilities);
    expect(other.events.find((e) => e.type === "node.output" && e.nodeId === "router")).toMatchObject({ detail: { route: "otherwise" } });
  });

  it("model routing without a model says what to connect", async () => {
    const { capabilities } = testCapabilities(model.baseUrl);
    const graph = graphOf(
      [
        { id: "in", type: "io.chat-input" },
        { id: "router", type: "logic.router", config: { mode: "model" } },
        { id: "out", type: "io.chat-output" },
      ],
      ["in.message -> router.input", "router.otherwise -> out.message"],
    );
    const { result } = await runGraph(graph, "hi", capabilities);
    expect(result.error).toContain('Model routing needs a chat model on the Router\'s "Model" input.');
  });
});
