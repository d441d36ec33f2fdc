import { FakeListChatModel } from "@langchain/core/utils/testing";
import { describe, expect, it } from "vitest";
import { BLOCKS, blockRegistry, defaultConfig } from "#agents/blocks/index";
import { RUNNERS, runnersByType, assertEveryAgentBlockHasARunner } from "#agents/blocks/index.server";
import type { PortDataType } from "#agents/graph/index";
import type { NodeContext } from "#agents/runtime/context";
import { isTool, SKIPPED, type ChatMessage, type ChatModelValue, type MemoryValue } from "#agents/runtime/values";

/** A fake value for each port data type, as an upstream block would hand it over. */
function fakeValue(type: PortDataType): unknown {
  switch (type) {
    case "text":
      return '{"answer": "42"}';
    case "json":
      return { answer: "42" };
    case "chat-model":
      return {
        kind: "chat-model",
        model: new FakeListChatModel({ responses: ['{"answer": "from the fake model"}'] }),
        trace: { model: "fake", baseUrl: "fake" },
      } satisfies ChatModelValue;
    case "memory": {
      const stored: ChatMessage[] = [];
      return {
        kind: "memory",
        load: async () => stored,
        append: async (m) => void stored.push(...m),
        trace: { key: "fake", windowSize: 10 },
      } satisfies MemoryValue;
    }
    default:
      return undefined;
  }
}

function fakeContext(nodeId: string) {
  const responses: string[] = [];
  const ctx: NodeContext = {
    llm: { chatModel: () => new FakeListChatModel({ responses: ["fake answer"] }) },
    credentials: { resolve: async () => ({ kind: "secret", secret: "fake-secret" }) },
    memory: { load: async () => [], append: async () => {} },
    http: { fetch: async () => new Response("fake body", { status: 200 }) },
    sandbox: { run: async ({ input }) => JSON.stringify({ echoed: input }) },
    endpoints: { resolve: async () => ({ baseUrl: "http://fake.invalid/v1", model: "fake" }) },
    clock: { now: () => 0 },
    meter: { record: () => {} },
    knowledge: {
      search: async () => ({
        knowledgeBaseName: "Fake",
        results: [{ text: "A fake passage.", citation: "fake.md", documentName: "fake.md", page: null, heading: null, sourceUrl: null, score: 1 }],
      }),
    },
    runId: "run_contract",
    conversationId: "conv_contract",
    input: "contract input",
    nodeId,
    signal: new AbortController().signal,
    streaming: true,
    emitToken: () => {},
    step: () => {},
    respond: (text) => void responses.push(text),
    addDetail: () => {},
    toolCall: () => () => {},
  };
  return { ctx, responses };
}

const SAMPLE_TOOL_ARGS: Record<string, unknown> = {
  "tool.calculator": { expression: "6 * 7" },
  "tool.code": { value: 21 },
  "tool.http": { query: "skyloom" },
  "knowledge.retriever": { query: "skyloom" },
};

/** Blocks whose default config has nothing to act on (no knowledge base chosen) get one here. */
const SAMPLE_CONFIG: Record<string, Record<string, unknown>> = {
  "knowledge.retriever": { knowledgeBaseId: "kb_contract" },
};

it("every agent block has a runner and no workload block has one", () => {
  expect(() => assertEveryAgentBlockHasARunner()).not.toThrow();
  for (const block of BLOCKS) {
    expect(block.type in RUNNERS, block.type).toBe(block.part === "agent");
  }
});

describe.each(BLOCKS.filter((b) => b.part === "agent").map((b) => [b.type, b] as const))("runner of %s", (type, block) => {
  it("returns exactly its declared outputs for its default config, given fake inputs", async () => {
    const node = { id: "n1", type, version: block.version, config: {}, ui: { x: 0, y: 0 } };
    const ports = blockRegistry.resolvePorts(node);
    if (!ports) throw new Error("no ports");
    const inputs: Record<string, unknown> = {};
    for (const port of ports.inputs) {
      const value = fakeValue(port.type);
      // As the executor hands them over: a `multiple` input is always an array.
      if (value !== undefined) inputs[port.id] = port.multiple ? [value] : value;
      else if (port.multiple) inputs[port.id] = [];
    }
    const runner = runnersByType[type];
    if (!runner) throw new Error("no runner");
    const { ctx, responses } = fakeContext(node.id);
    const outputs: Record<string, unknown> = await runner.run({ config: { ...defaultConfig(block), ...SAMPLE_CONFIG[type] }, inputs, inputsById: inputs, node, ctx });

    expect(Object.keys(outputs).sort()).toEqual(ports.outputs.map((p) => p.id).sort());
    for (const port of ports.outputs) {
      const value = outputs[port.id];
      if (value === SKIPPED) continue; // a router's unchosen branch
      switch (port.type) {
        case "text":
          expect(typeof value, port.id).toBe("string");
          break;
        case "json":
          expect(JSON.parse(JSON.stringify(value)), port.id).toEqual(value);
          break;
        case "tool": {
          expect(isTool(value)).toBe(true);
          if (isTool(value)) {
            const result: unknown = await value.tool.invoke(SAMPLE_TOOL_ARGS[type] ?? {});
            expect(typeof result).toBe("string");
          }
          break;
        }
        default:
          expect(value, port.id).toMatchObject({ kind: port.type });
      }
    }
    if (type === "io.chat-output") expect(responses).toEqual(['{"answer": "42"}']);
  });
});
