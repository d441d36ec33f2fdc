import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { GRAPH_LIMITS, type GraphDoc } from "#agents/graph/index";
import { flows, flowVersions } from "#db/schema";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";
import { outcomeOf } from "../support/trpc-errors";

/**
 * The server's import path (flow.importFile) reads a flow file with the kernel's parser; the
 * graph paths (create, save, versions) apply the same limits to a graph sent as JSON. A refused
 * input creates and changes nothing, and the answer says what to fix.
 */
let backend: TestBackend;
let ada: TestClient;
beforeEach(async () => {
  backend = await createTestBackend();
  ada = await backend.signedUpClient("ada@example.com");
});
afterEach(() => backend.close());

const rows = () => ({ flows: backend.db.select().from(flows).all(), versions: backend.db.select().from(flowVersions).all() });
const fileText = (graph: unknown = helloAgentGraph(), name = "Helpdesk") => JSON.stringify({ name, graph });

/** A config nested `levels` objects deep. */
function nested(levels: number): unknown {
  let value: unknown = "deep";
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

/** The hello agent with its output node's empty config replaced by `config` (given as JSON text, so `__proto__` stays a key). */
function withConfig(configJson: string): GraphDoc {
  const graph = helloAgentGraph();
  return JSON.parse(JSON.stringify(graph).replace('"config":{}', `"config":${configJson}`)) as GraphDoc;
}

describe("flow.importFile", () => {
  test("imports an exported file as a new flow", async () => {
    const flow = await ada.trpc.flow.importFile({ text: fileText() });
    expect(flow).toMatchObject({ name: "Helpdesk", revision: 1, graph: helloAgentGraph(), upgraded: [] });
    expect(rows().flows).toHaveLength(1);
  });

  test("upgrades blocks saved by an older Skyloom and says which", async () => {
    const v1 = JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/flow-files/upgrade-v1.flow.json"), "utf8"));
    // This build's blocks only: the file's test and unknown blocks left out, its real ones kept.
    const real = new Set(["http", "code", "structured", "agent"]);
    v1.graph.nodes = v1.graph.nodes.filter((n: { id: string }) => real.has(n.id));
    const flow = await ada.trpc.flow.importFile({ text: JSON.stringify(v1) });
    expect(flow.upgraded).toEqual([
      'Node "http": tool.http version 1 → 2',
      'Node "code": tool.code version 1 → 2',
      'Node "structured": output.structured version 1 → 2',
      'Node "agent": agent.tools version 1 → 2',
    ]);
    const stored = rows().flows[0]!.graph as GraphDoc;
    expect(stored.nodes.map((n) => n.version)).toEqual([2, 2, 2, 2]);
    expect(stored.nodes[0]!.config).toMatchObject({ headers: { Accept: "application/json", "X-Api-Version": "3" } });
  });

  test("refuses bad files with what to fix, and creates nothing", async () => {
    const cases: [string, string | RegExp][] = [
      ["{ nope", /^BAD_REQUEST: This file is not valid JSON, so it is not a Skyloom flow file\. /],
      [
        fileText({ ...helloAgentGraph(), schemaVersion: 2 }),
        "BAD_REQUEST: This flow is graph format 2, written by a newer Skyloom; this one reads format 1 and older. Update Skyloom to open it. graph.schemaVersion: 2 is newer than 1",
      ],
      [
        fileText(withConfig('{"__proto__":{"isAdmin":true}}')),
        'BAD_REQUEST: This file has a key named "__proto__", which is refused: it could change how objects behave. graph.nodes.3.config.__proto__: rename or remove this key',
      ],
      [fileText(withConfig(JSON.stringify(nested(GRAPH_LIMITS.maxDepth)))), /^BAD_REQUEST: This file nests values more than 64 levels deep; the limit is 64\. graph\.nodes\.3\.config(\.a)+: /],
      // Fewer characters than the limit, more bytes: "é" takes two.
      [`${fileText().slice(0, -1)},"pad":"${"é".repeat(GRAPH_LIMITS.maxBytes / 2 + 1_000)}"}`, /^BAD_REQUEST: This file is 5\.0 MB; the limit is 5 MB\.$/],
      [JSON.stringify({ name: "No graph" }), "BAD_REQUEST: This is not a Skyloom flow file: it needs a name and a graph (schemaVersion 1, nodes, edges). graph: The file has no graph"],
      [
        fileText({ ...helloAgentGraph(), nodes: [...helloAgentGraph().nodes, { id: "x", type: "plugin.x", version: 1, config: {}, ui: { x: 0, y: 0 } }] }),
        'BAD_REQUEST: This flow file cannot be loaded: one problem. E101 Unknown block type "plugin.x".',
      ],
    ];
    for (const [text, expected] of cases) {
      const outcome = await outcomeOf(ada.trpc.flow.importFile({ text }));
      if (typeof expected === "string") expect(outcome).toBe(expected);
      else expect(outcome).toMatch(expected);
    }
    expect(await outcomeOf(ada.trpc.flow.importFile({ text: "x".repeat(GRAPH_LIMITS.maxBytes + 1) }))).toMatch(/^BAD_REQUEST: .*A flow file is at most 5 MB/);
    expect(rows()).toEqual({ flows: [], versions: [] });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});

describe("graphs sent as JSON (create, save, versions)", () => {
  test("a __proto__ key or a too-deep config is refused and nothing changes", async () => {
    const flow = await ada.trpc.flow.create({ name: "Target", graph: helloAgentGraph() });
    const before = rows();
    const proto = withConfig('{"__proto__":{"isAdmin":true}}');
    const deep = withConfig(JSON.stringify(nested(GRAPH_LIMITS.maxDepth)));
    for (const graph of [proto, deep]) {
      expect(await outcomeOf(ada.trpc.flow.create({ name: "New", graph }))).toMatch(/^BAD_REQUEST: graph: The flow (has a key named "__proto__"|nests values more than 64 levels deep)/);
      expect(await outcomeOf(ada.trpc.flow.save({ id: flow.id, graph, expectedRevision: 1 }))).toMatch(/^BAD_REQUEST: graph: /);
      expect(await outcomeOf(ada.trpc.flow.versions.create({ flowId: flow.id, message: "v", graph }))).toMatch(/^BAD_REQUEST: graph: /);
    }
    expect(rows()).toEqual(before);
  });

  test("a graph format from the future says to update Skyloom", async () => {
    const graph = { ...helloAgentGraph(), schemaVersion: 3 } as unknown as GraphDoc;
    expect(await outcomeOf(ada.trpc.flow.create({ name: "New", graph }))).toBe(
      "BAD_REQUEST: graph.schemaVersion: This graph is format 3, written by a newer Skyloom; this one reads format 1 and older. Update Skyloom to open it.",
    );
    expect(rows().flows).toEqual([]);
  });

  test("a saved graph with old block versions is stored upgraded", async () => {
    const flow = await ada.trpc.flow.create({ name: "Target" });
    const old: GraphDoc = {
      schemaVersion: 1,
      nodes: [{ id: "http", type: "tool.http", version: 1, config: { headers: [{ name: "Accept", value: "text/plain" }] }, ui: { x: 0, y: 0 } }],
      edges: [],
    };
    await ada.trpc.flow.save({ id: flow.id, graph: old, expectedRevision: 1 });
    expect((rows().flows[0]!.graph as GraphDoc).nodes[0]).toMatchObject({ version: 2, config: { headers: { Accept: "text/plain" } } });
  });

  test("a stored graph from an older Skyloom is read upgraded (flow, version, run source)", async () => {
    const flow = await ada.trpc.flow.create({ name: "Stored long ago" });
    const old = { schemaVersion: 1, nodes: [{ id: "code", type: "tool.code", version: 1, config: { inputSchema: '{"type":"object"}' }, ui: { x: 0, y: 0 } }], edges: [] };
    backend.sqlite.prepare("update flows set graph = ? where id = ?").run(JSON.stringify(old), flow.id);
    const got = await ada.trpc.flow.get({ id: flow.id });
    expect(got.graph.nodes[0]).toMatchObject({ version: 2, config: { inputSchema: { type: "object" } } });
    const version = await ada.trpc.flow.versions.create({ flowId: flow.id, message: "snapshot" });
    const snapshot = await ada.trpc.flow.versions.get({ flowId: flow.id, versionId: version.id });
    expect(snapshot.graph.nodes[0]).toMatchObject({ version: 2 });
  });
});
