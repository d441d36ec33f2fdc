import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockRegistry, parseBlockConfig } from "#agents/blocks/index";
import {
  describeChange,
  GraphFormatError,
  parseFlowFile,
  serializeFlowFile,
  upgradeGraph,
  type BlockLookup,
  type GraphDoc,
} from "#agents/graph/index";
import { greetingBlock, registryWithGreeting } from "../../fixtures/blocks/greeting-block";

/**
 * Golden upgrade: a flow file saved by an older Skyloom (test/fixtures/flow-files/upgrade-v1)
 * must read as exactly upgrade-v2. After an intended change, regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run test/agents/graph/upgrade.test.ts` and review the diff.
 */
const DIR = join(process.cwd(), "test/fixtures/flow-files");
const V1 = join(DIR, "upgrade-v1.flow.json");
const V2 = join(DIR, "upgrade-v2.flow.json");

describe("upgradeGraph", () => {
  it("reads a v1 flow file as the golden v2 file, listing every change and the unknown block", () => {
    const read = parseFlowFile(readFileSync(V1, "utf8"), registryWithGreeting);
    if (!read.ok) throw new Error(`${read.message} ${read.details.join("; ")}`);
    const text = serializeFlowFile(read.file);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(V2, text);
    expect(text).toBe(readFileSync(V2, "utf8"));

    expect(read.changes.map(describeChange)).toEqual([
      'Node "hello": test.greeting version 1 → 2',
      'Node "nobody": test.greeting version 1 → 2',
      'Node "http": tool.http version 1 → 2',
      'Node "code": tool.code version 1 → 2',
      'Node "structured": output.structured version 1 → 2',
      'Node "agent": agent.tools version 1 → 2',
    ]);
    expect(read.problems).toEqual([
      { kind: "unknown-block", node: "alien", type: "plugin.from-elsewhere", message: 'Unknown block type "plugin.from-elsewhere".' },
    ]);
  });

  it("leaves every upgraded config one its block's current schema accepts", () => {
    const { graph } = upgradeGraph(JSON.parse(readFileSync(V1, "utf8")).graph, registryWithGreeting);
    for (const node of graph.nodes) {
      const block = registryWithGreeting.get(node.type);
      if (!block) continue;
      expect(node.version, node.id).toBe(block.version);
      expect(block.config.safeParse(node.config).success, node.id).toBe(true);
    }
    expect(graph.nodes.find((n) => n.id === "hello")?.config).toEqual({ salutation: "Hi", names: ["Ada"], punctuation: "!" });
  });

  it("without the test block in the lookup, its nodes are reported and kept as they were", () => {
    const raw = JSON.parse(readFileSync(V1, "utf8")).graph;
    const { graph, problems } = upgradeGraph(raw, blockRegistry);
    expect(problems.map((p) => p.node)).toEqual(["hello", "nobody", "current", "alien"]);
    expect(graph.nodes.find((n) => n.id === "hello")).toEqual(raw.nodes[0]);
  });

  it("a graph with nothing to upgrade comes back unchanged, with no changes", () => {
    const current: GraphDoc = { schemaVersion: 1, nodes: [{ id: "a", type: "test.greeting", version: 2, config: {}, ui: { x: 0, y: 0 } }], edges: [] };
    const result = upgradeGraph(current, registryWithGreeting);
    expect(result).toEqual({ graph: current, changes: [], problems: [] });
  });

  it("reports a node from a newer block version, a missing step and a step that throws; never throws for them", () => {
    const lookup: BlockLookup = {
      get: (type) =>
        ({
          "no-steps": { version: 3, migrate: { 1: (c: unknown) => c } },
          throws: {
            version: 2,
            migrate: {
              1: () => {
                throw new Error("bad config");
              },
            },
          },
          "test.greeting": greetingBlock,
        })[type],
    };
    const node = (id: string, type: string, version: number) => ({ id, type, version, config: {}, ui: { x: 0, y: 0 } });
    const result = upgradeGraph(
      { schemaVersion: 1, nodes: [node("future", "test.greeting", 3), node("gap", "no-steps", 1), node("boom", "throws", 1)], edges: [] },
      lookup,
    );
    expect(result.changes).toEqual([]);
    expect(result.problems.map((p) => [p.node, p.kind, p.message])).toEqual([
      ["future", "newer-block", 'Node "future" was saved by a newer Skyloom (test.greeting version 3; this one knows 2).'],
      ["gap", "migrate-failed", 'Node "gap": No upgrade from version 2 of no-steps.'],
      ["boom", "migrate-failed", 'Node "boom": Upgrading throws from version 1 failed: bad config'],
    ]);
  });

  it("refuses a graph format from the future and a value that is no graph, with the fields at fault", () => {
    const future = () => upgradeGraph({ schemaVersion: 2, nodes: [], edges: [] }, blockRegistry);
    expect(future).toThrow(GraphFormatError);
    expect(future).toThrow("This flow is graph format 2, written by a newer Skyloom; this one reads format 1 and older. Update Skyloom to open it.");
    try {
      upgradeGraph({ schemaVersion: 1, nodes: [{ id: "" }] }, blockRegistry);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GraphFormatError);
      const details = (error as GraphFormatError).details("graph");
      expect(details).toContain("graph.nodes.0.id: An id cannot be empty");
      expect(details.some((d) => d.startsWith("graph.edges: "))).toBe(true);
    }
  });
});

/**
 * Every real block that changed its config shape (version > 1): a config as version 1 saved it
 * migrates to one the current schema accepts. A block that reaches version 2 without a sample
 * here fails the first test, so its migration gets tested too.
 */
const VERSION_1_CONFIGS: Record<string, unknown[]> = {
  "agent.tools": [{}, { systemPrompt: 'Answer as {"reply": "{text}"}; keep {{ and }}.', maxIterations: 3 }],
  "tool.http": [{}, { name: "weather", url: "https://api.example.com/{q}", headers: [{ name: "Accept", value: "text/plain" }, { name: "X-N", value: 2 }] }],
  "tool.code": [{}, { name: "double", code: "return input.n * 2;", inputSchema: '{"type":"object","properties":{"n":{"type":"number"}}}' }],
  "output.structured": [{}, { schema: '{"type":"array","items":{"type":"string"}}' }],
};

describe("block migrations", () => {
  const upgraded = blockRegistry.list().filter((b) => b.version > 1);

  it("every block above version 1 has a step for each version and a version 1 sample here", () => {
    expect(upgraded.length).toBeGreaterThan(0);
    for (const block of upgraded) {
      for (let v = 1; v < block.version; v++) expect(typeof block.migrate?.[v], `${block.type} step ${v}`).toBe("function");
      expect(VERSION_1_CONFIGS[block.type], `a version 1 config of ${block.type} in VERSION_1_CONFIGS`).toBeDefined();
    }
  });

  for (const block of blockRegistry.list().filter((b) => b.version > 1)) {
    it(`${block.type}: version 1 configs migrate to configs version ${block.version} accepts`, () => {
      for (const config of VERSION_1_CONFIGS[block.type] ?? []) {
        const node = { id: "n", type: block.type, version: 1, config, ui: { x: 0, y: 0 } };
        const { graph, problems } = upgradeGraph({ schemaVersion: 1, nodes: [node], edges: [] }, blockRegistry);
        expect(problems).toEqual([]);
        const result = parseBlockConfig(block, graph.nodes[0]!.version, graph.nodes[0]!.config);
        expect(result.ok ? [] : result.issues, JSON.stringify(config)).toEqual([]);
      }
    });
  }
});
