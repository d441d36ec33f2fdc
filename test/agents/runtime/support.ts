import { ChatOpenAICompletions } from "@langchain/openai";
import type { GraphDoc, GraphNode } from "#agents/graph/index";
import type { ChatMessage } from "#agents/runtime/values";
import type { RunCapabilities, UsageRecord } from "#agents/runtime/context";
import type { RunEvent } from "#agents/runtime/events";
import { executeRun, type ExecuteOptions } from "#agents/runtime/executor";
import { blockRegistry } from "#agents/blocks/index";
import { runnersByType } from "#agents/blocks/index.server";

/**
 * Capabilities for runtime tests: a real LangChain client against the test's own
 * OpenAI-compatible server, memory in a Map, plain fetch, and a meter that records. Code
 * tools need a sandbox passed in `overrides` (a SandboxPool the test starts and stops).
 */
export function testCapabilities(baseUrl: string, overrides: Partial<RunCapabilities> = {}) {
  const memory = new Map<string, ChatMessage[]>();
  const usage: UsageRecord[] = [];
  const capabilities: RunCapabilities = {
    llm: {
      chatModel: (spec) =>
        new ChatOpenAICompletions({
          model: spec.model,
          apiKey: spec.apiKey ?? "test-key",
          maxRetries: 0,
          streamUsage: true,
          ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}),
          ...(spec.maxTokens !== undefined ? { maxTokens: spec.maxTokens } : {}),
          configuration: { baseURL: spec.baseUrl || baseUrl },
        }),
    },
    credentials: {
      resolve: async (id) => {
        if (id === "cred_test") return { kind: "secret", secret: "s3cret-value" };
        throw new Error(`No credential ${id}`);
      },
    },
    memory: {
      load: async ({ conversationId, key, limit }) => (memory.get(`${conversationId}/${key}`) ?? []).slice(-limit),
      append: async ({ conversationId, key, messages }) => {
        const k = `${conversationId}/${key}`;
        memory.set(k, [...(memory.get(k) ?? []), ...messages]);
      },
    },
    http: { fetch: (url, init) => fetch(url, init) },
    sandbox: {
      run: async () => {
        throw new Error("This test has no code sandbox: pass one, e.g. a SandboxPool (see test/agents/blocks/sandbox.test.ts).");
      },
    },
    endpoints: {
      resolve: async (node: GraphNode) => {
        throw new Error(`Deploy this endpoint first: "${node.id}" is not running yet.`);
      },
    },
    clock: { now: () => performance.now() },
    meter: { record: (u) => usage.push(u) },
    ...overrides,
  };
  return { capabilities, memory, usage };
}

export async function runGraph(
  graph: GraphDoc,
  input: string,
  capabilities: RunCapabilities,
  extra: Partial<ExecuteOptions> = {},
): Promise<{ result: Awaited<ReturnType<typeof executeRun>>; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const result = await executeRun({
    runId: "run_test",
    graph,
    input,
    conversationId: "conv_test",
    blocks: blockRegistry,
    runners: runnersByType,
    capabilities,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { result, events };
}

/** A node; `version` defaults to 1, so a config in an older block version goes through its migrations. */
type NodeSpec = { id: string; type: string; config?: unknown; version?: number };

/** A graph from a compact list of nodes and `from.port -> to.port` edges. */
export function graphOf(nodes: NodeSpec[], edges: string[]): GraphDoc {
  return {
    schemaVersion: 1,
    nodes: nodes.map((n, i) => ({ id: n.id, type: n.type, version: n.version ?? 1, config: n.config ?? {}, ui: { x: i * 200, y: 0 } })),
    edges: edges.map((e, i) => {
      const [from, to] = e.split("->").map((s) => s.trim()) as [string, string];
      const [fromNode, fromPort] = from.split(".") as [string, string];
      const [toNode, toPort] = to.split(".") as [string, string];
      return { id: `e${i}`, from: { node: fromNode, port: fromPort }, to: { node: toNode, port: toPort } };
    }),
  };
}

export const helloGraph = (template = "Question: {input}") =>
  graphOf(
    [
      { id: "in", type: "io.chat-input" },
      { id: "prompt", type: "prompt.template", config: { template } },
      { id: "model", type: "model.openai" },
      { id: "out", type: "io.chat-output" },
    ],
    ["in.message -> prompt.input", "prompt.prompt -> model.prompt", "model.text -> out.message"],
  );
