import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphDoc } from "#agents/graph/index";
import type { ServerCaller } from "#server/trpc/root";
import { retrieverPromptGraph } from "../../fixtures/agent-graphs";
import { startGatewayHost, type GatewayHost } from "../gateway/support";

/**
 * The knowledge.retriever block in real runs on the local development model: its passages
 * reach the prompt (the dev model quotes its prompt back, so the answer shows what it was
 * given), an Agent calls it as a tool, and /v1 answers with the citation through the official
 * openai SDK. A base id of another team gets nothing.
 */
const devModel = { baseUrl: "", model: "skyloom-dev", credentialId: null, temperature: 0, maxTokens: 512 };

function retrieverAgentGraph(knowledgeBaseId: string): GraphDoc {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "input", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 0 } },
      { id: "model", type: "model.openai", version: 1, config: devModel, ui: { x: 0, y: 200 } },
      { id: "kb", type: "knowledge.retriever", version: 1, config: { knowledgeBaseId, topK: 1 }, ui: { x: 300, y: 200 } },
      { id: "agent", type: "agent.tools", version: 1, config: { maxIterations: 3 }, ui: { x: 300, y: 0 } },
      { id: "output", type: "io.chat-output", version: 1, config: {}, ui: { x: 600, y: 0 } },
    ],
    edges: [
      { id: "e1", from: { node: "input", port: "message" }, to: { node: "agent", port: "prompt" } },
      { id: "e2", from: { node: "model", port: "model" }, to: { node: "agent", port: "model" } },
      { id: "e3", from: { node: "kb", port: "tool" }, to: { node: "agent", port: "tools" } },
      { id: "e4", from: { node: "agent", port: "text" }, to: { node: "output", port: "message" } },
    ],
  };
}

let host: GatewayHost;
let alice: ServerCaller;
let baseId: string;

async function runToAnswer(caller: ServerCaller, flowId: string, input: string) {
  const { runId } = await caller.run.start({ flowId, input, conversationId: `c-${Math.random()}` });
  for await (const _event of await caller.run.events({ id: runId })) void _event;
  return caller.run.get({ id: runId });
}

beforeAll(async () => {
  host = await startGatewayHost();
  alice = await host.person("alice-kb@example.com");
  const kb = await alice.knowledge.create({ name: "Handbook" });
  baseId = kb.id;
  const handbook = "# Travel\n\nTrains for trips under four hours.\n\n## Refunds\n\nRefund requests go to finance within thirty days.\n\n# Laptops\n\nLaptops are replaced every three years.";
  await alice.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "handbook.md", contentBase64: Buffer.from(handbook).toString("base64") });
  await host.skyloom.services.knowledge.whenIdle();
});
afterAll(() => host.close());

describe("knowledge.retriever in a run", () => {
  it("hands the best passage with its source to the prompt, and the run shows which passages were used", async () => {
    const flow = await alice.flow.create({ name: "Answers", graph: retrieverPromptGraph(baseId) });
    const run = await runToAnswer(alice, flow.id, "Where do refund requests go?");
    expect(run.status).toBe("succeeded");
    expect(run.output).toContain("[1] handbook.md › Travel › Refunds");
    expect(run.output).toContain("Refund requests go to finance within thirty days.");
    const step = run.steps.find((s) => s.nodeId === "kb");
    expect(JSON.stringify(step)).toContain("handbook.md › Travel › Refunds");
  });

  it("is a tool an Agent calls, and the answer carries the citation", async () => {
    const flow = await alice.flow.create({ name: "Agent", graph: retrieverAgentGraph(baseId) });
    const run = await runToAnswer(alice, flow.id, "use search_knowledge on laptops replaced");
    expect(run.status).toBe("succeeded");
    expect(run.output).toContain("search_knowledge returned [1] handbook.md › Laptops");
  });

  it("answers through /v1 with the citation (official openai SDK)", async () => {
    const flow = await alice.flow.create({ name: "Handbook bot", graph: retrieverPromptGraph(baseId) });
    await alice.agent.publish({ flowId: flow.id, slug: "handbook-bot" });
    const { token } = await alice.apiKey.create({ name: "kb", kind: "secret" });
    const completion = await host.openai(token).chat.completions.create({ model: "handbook-bot", messages: [{ role: "user", content: "Where do refund requests go?" }] });
    expect(completion.choices[0]?.message.content).toContain("[1] handbook.md › Travel › Refunds");
  });

  it("a flow of another team naming this base (a template, an import) gets nothing", async () => {
    const mallory = await host.person("mallory-kb@example.com");
    const flow = await mallory.flow.create({ name: "Copied", graph: retrieverPromptGraph(baseId) });
    const run = await runToAnswer(mallory, flow.id, "Where do refund requests go?");
    expect(run.status).toBe("failed");
    expect(JSON.stringify(run)).toContain(`This team has no knowledge base ${baseId}`);
    expect(JSON.stringify(run)).not.toContain("finance within thirty days");
  });
});
