import { afterEach, beforeEach, expect, test } from "vitest";
import { flows } from "#db/schema";
import type { GraphDoc } from "#agents/graph/index";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";
import { outcomeOf } from "../support/trpc-errors";

let backend: TestBackend;
let ada: TestClient;
let flowId: string;

beforeEach(async () => {
  backend = await createTestBackend();
  ada = await backend.signedUpClient("ada@example.com");
  flowId = (await ada.trpc.flow.create({ name: "Target", graph: helloAgentGraph() })).id;
});
afterEach(() => backend.close());

const stored = () => backend.db.select().from(flows).all();

/** A chain of prompts: n nodes, n-1 edges, like a large generated flow. */
function bigGraph(n: number, templateBytes = 20): GraphDoc {
  const filler = "x".repeat(templateBytes);
  return {
    schemaVersion: 1,
    nodes: Array.from({ length: n }, (_, i) => ({
      id: `n${i}`,
      type: "prompt.template",
      version: 1,
      config: { template: `{input} ${filler}` },
      ui: { x: (i % 50) * 300, y: Math.floor(i / 50) * 200 },
    })),
    edges: Array.from({ length: n - 1 }, (_, i) => ({
      id: `e${i}`,
      from: { node: `n${i}`, port: "prompt" },
      to: { node: `n${i + 1}`, port: "input" },
    })),
  };
}

async function saveOutcome(graph: unknown) {
  return outcomeOf(ada.trpc.flow.save({ id: flowId, graph: graph as GraphDoc, expectedRevision: 1 }));
}

test("a malformed graph is BAD_REQUEST naming the field, and nothing is written", async () => {
  const before = stored();
  expect(await saveOutcome({ schemaVersion: 2, nodes: [], edges: [] })).toMatch(/^BAD_REQUEST: graph\.schemaVersion: /);
  expect(await saveOutcome({ schemaVersion: 1, nodes: [{ id: "a", type: "io.chat-input" }], edges: [] })).toMatch(
    /^BAD_REQUEST: graph\.nodes\.0\.version: .*graph\.nodes\.0\.ui: /,
  );
  expect(await saveOutcome({ schemaVersion: 1, nodes: "lots", edges: [] })).toMatch(/^BAD_REQUEST: graph\.nodes: /);
  expect(stored()).toEqual(before);
});

test("unknown block types and edges to missing nodes or ports are named", async () => {
  const before = stored();
  const unknown = helloAgentGraph();
  unknown.nodes.push({ id: "mystery", type: "model.telepathy", version: 1, config: {}, ui: { x: 0, y: 0 } });
  expect(await saveOutcome(unknown)).toBe('BAD_REQUEST: graph.nodes.4: E101 Unknown block type "model.telepathy".');

  const dangling = helloAgentGraph();
  dangling.edges.push({ id: "e9", from: { node: "model", port: "text" }, to: { node: "ghost", port: "message" } });
  expect(await saveOutcome(dangling)).toBe('BAD_REQUEST: graph.edges.3: E104 Edge "e9" ends at a missing node "ghost".');

  const badPort = helloAgentGraph();
  badPort.edges.push({ id: "e9", from: { node: "model", port: "text" }, to: { node: "prompt", port: "nonexistent" } });
  expect(await saveOutcome(badPort)).toBe('BAD_REQUEST: graph.edges.3: E105 Node "prompt" has no input "nonexistent".');
  expect(stored()).toEqual(before);
});

test("a graph over the node limit or the byte limit is refused", async () => {
  const before = stored();
  expect(await saveOutcome(bigGraph(5_001))).toBe("BAD_REQUEST: graph.nodes: A flow has at most 5000 nodes");
  expect(await saveOutcome(bigGraph(1_000, 6_000))).toMatch(/^BAD_REQUEST: graph: The flow is 5\.\d MB; the limit is 5 MB\.$/);
  expect(stored()).toEqual(before);
});

test("a 2,000-node flow saves and reads back whole", async () => {
  const graph = bigGraph(2_000);
  const saved = await ada.trpc.flow.save({ id: flowId, graph, expectedRevision: 1 });
  expect(saved.revision).toBe(2);
  const back = await ada.trpc.flow.get({ id: flowId });
  expect(back.graph).toEqual(graph);
  expect(back.summary).toMatchObject({ nodes: 2_000, edges: 1_999 });
});

test("a stored row that drifted from the schema is refused on read, not rendered", async () => {
  backend.sqlite.prepare("update flows set graph = ? where id = ?").run(JSON.stringify({ schemaVersion: 1, nodes: [{}] }), flowId);
  expect(await outcomeOf(ada.trpc.flow.get({ id: flowId }))).toMatch(/^INTERNAL_SERVER_ERROR: Stored graph of flow/);
});
