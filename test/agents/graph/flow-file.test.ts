import { describe, expect, it } from "vitest";
import { blockRegistry } from "#agents/blocks/index";
import {
  findUnsafeJson,
  GRAPH_LIMITS,
  parseFlowFile,
  parseFragment,
  parseUntrustedJson,
  serializeFlowFile,
  UnsafeJsonError,
  type GraphDoc,
} from "#agents/graph/index";

/** The kernel's flow-file reader: what it refuses, and that it says what to fix. */

const graph: GraphDoc = {
  schemaVersion: 1,
  nodes: [
    { id: "in", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 0 } },
    { id: "out", type: "io.chat-output", version: 1, config: {}, ui: { x: 300, y: 0 } },
  ],
  edges: [{ id: "e1", from: { node: "in", port: "message" }, to: { node: "out", port: "message" } }],
};
const file = (g: unknown = graph, name: unknown = "Echo") => JSON.stringify({ name, graph: g });

/** A config nested `levels` objects deep: { a: { a: … } }. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

function refusal(text: string) {
  const read = parseFlowFile(text, blockRegistry);
  if (read.ok) throw new Error("expected a refusal");
  return read;
}

describe("parseFlowFile", () => {
  it("reads an exported file back to the same flow", () => {
    expect(parseFlowFile(serializeFlowFile({ name: "Echo", graph }), blockRegistry)).toEqual({
      ok: true,
      file: { name: "Echo", graph },
      changes: [],
      problems: [],
    });
  });

  it("refuses text that is not JSON", () => {
    expect(refusal("{ nope")).toMatchObject({ message: "This file is not valid JSON, so it is not a Skyloom flow file." });
    expect(refusal("").message).toContain("not valid JSON");
  });

  it("refuses a file over the byte limit before parsing it", () => {
    const big = file({ ...graph, nodes: [{ ...graph.nodes[0]!, config: { pad: "x".repeat(GRAPH_LIMITS.maxBytes) } }] });
    expect(refusal(big).message).toBe("This file is 5 MB; the limit is 5 MB.".replace("5 MB;", `${(big.length / 1024 / 1024).toFixed(1)} MB;`));
    // Multi-byte characters count as the bytes they take.
    const wide = file({ ...graph, nodes: [{ ...graph.nodes[0]!, config: { pad: "é".repeat(GRAPH_LIMITS.maxBytes / 2 + 10) } }] });
    expect(refusal(wide).message).toMatch(/^This file is 5\.0 MB; the limit is 5 MB\.$/);
  });

  it("refuses values nested deeper than the limit, naming where", () => {
    const deep = refusal(file({ ...graph, nodes: [{ ...graph.nodes[0]!, config: nested(GRAPH_LIMITS.maxDepth) }] }));
    expect(deep.message).toBe(`This file nests values more than ${GRAPH_LIMITS.maxDepth} levels deep; the limit is ${GRAPH_LIMITS.maxDepth}.`);
    expect(deep.details[0]).toMatch(/^graph\.nodes\.0\.config(\.a)+: nest this value less deeply$/);
    // A hostile depth far beyond any stack is refused just the same.
    expect(refusal(`${"[".repeat(200_000)}${"]".repeat(200_000)}`).message).toContain("levels deep");
    // Just inside the limit is fine.
    const inside = parseFlowFile(file({ ...graph, nodes: [{ ...graph.nodes[0]!, config: nested(GRAPH_LIMITS.maxDepth - 6) }] }), blockRegistry);
    expect(inside.ok).toBe(true);
  });

  it("refuses __proto__ and constructor keys anywhere, naming where", () => {
    const proto = refusal(file().replace('"config":{}', '"config":{"headers":{"__proto__":{"polluted":true}}}'));
    expect(proto).toEqual({
      ok: false,
      message: 'This file has a key named "__proto__", which is refused: it could change how objects behave.',
      details: ["graph.nodes.0.config.headers.__proto__: rename or remove this key"],
    });
    expect(refusal('{"__proto__":{"x":1},"name":"a","graph":{}}').details).toEqual(["__proto__: rename or remove this key"]);
    expect(refusal(file().replace('"config":{}', '"config":{"constructor":{"prototype":{}}}')).message).toContain('"constructor"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a graph format from the future with what to do", () => {
    const future = refusal(file({ ...graph, schemaVersion: 2 }));
    expect(future.message).toBe(
      "This flow is graph format 2, written by a newer Skyloom; this one reads format 1 and older. Update Skyloom to open it.",
    );
    expect(future.details).toEqual(["graph.schemaVersion: 2 is newer than 1"]);
  });

  it("refuses a file without a name or a graph, naming the fields", () => {
    expect(refusal(JSON.stringify({ graph })).details).toEqual(["name: The file has no flow name"]);
    expect(refusal(JSON.stringify({ name: "x" })).details).toEqual(["graph: The file has no graph"]);
    expect(refusal(file({ nodes: [] })).details).toEqual(
      expect.arrayContaining(["graph.schemaVersion: schemaVersion must be 1", expect.stringMatching(/^graph\.edges: /)]),
    );
    expect(refusal(JSON.stringify([1, 2])).message).toMatch(/needs a name and a graph/);
  });

  it("keeps nodes of unknown blocks and lists them; the caller decides", () => {
    const alien = { ...graph, nodes: [...graph.nodes, { id: "x", type: "plugin.x", version: 1, config: {}, ui: { x: 0, y: 0 } }] };
    const read = parseFlowFile(file(alien), blockRegistry);
    expect(read.ok && read.problems.map((p) => p.type)).toEqual(["plugin.x"]);
  });
});

describe("parseFragment", () => {
  it("takes a graph or a whole flow file and drops edges to nodes left behind", () => {
    const one = { ...graph, nodes: [graph.nodes[0]!] };
    expect(parseFragment(JSON.stringify(one), blockRegistry)).toMatchObject({ ok: true, fragment: { nodes: [graph.nodes[0]], edges: [] } });
    expect(parseFragment(file(), blockRegistry)).toMatchObject({ ok: true, fragment: graph });
  });

  it("says plainly when the clipboard holds other text, and refuses unsafe JSON with the reason", () => {
    expect(parseFragment("hello", blockRegistry)).toEqual({ ok: false, message: "The clipboard does not hold Skyloom blocks.", details: [] });
    expect(parseFragment('{"a":1}', blockRegistry)).toMatchObject({ ok: false, message: "The clipboard does not hold Skyloom blocks." });
    const proto = parseFragment(JSON.stringify(graph).replace('"config":{}', '"config":{"__proto__":{}}'), blockRegistry);
    expect(proto).toMatchObject({ ok: false, message: 'The pasted text has a key named "__proto__", which is refused: it could change how objects behave.' });
  });
});

describe("serializeFlowFile", () => {
  it("indents a file, and writes one line when indenting would pass the byte limit", () => {
    expect(serializeFlowFile({ name: "Echo", graph })).toContain('\n  "graph": {\n');
    // Many nodes just under the limit: indenting each adds enough to pass it, one line does not.
    const pad = "x".repeat(850);
    const nodes = Array.from({ length: GRAPH_LIMITS.maxNodes }, (_, i) => ({ ...graph.nodes[0]!, id: `n${i}`, config: { pad } }));
    const large: GraphDoc = { ...graph, nodes, edges: [] };
    expect(JSON.stringify({ name: "Large", graph: large }, null, 2).length).toBeGreaterThan(GRAPH_LIMITS.maxBytes);
    const text = serializeFlowFile({ name: "Large", graph: large });
    expect(text.split("\n")).toHaveLength(2);
    expect(parseFlowFile(text, blockRegistry)).toMatchObject({ ok: true, file: { name: "Large", graph: large } });
  });
});

describe("parseUntrustedJson and findUnsafeJson", () => {
  it("throw and return typed refusals", () => {
    expect(() => parseUntrustedJson("nope", "This body")).toThrow(UnsafeJsonError);
    expect(findUnsafeJson({ a: [{ b: 1 }] }, "x")).toBeUndefined();
    expect(findUnsafeJson(JSON.parse('{"a":[{"__proto__":1}]}'), "The flow")).toMatchObject({ kind: "forbidden-key", details: ["a.0.__proto__: rename or remove this key"] });
    expect(findUnsafeJson(nested(GRAPH_LIMITS.maxDepth), "The flow")).toBeUndefined();
    expect(findUnsafeJson(nested(GRAPH_LIMITS.maxDepth + 1), "The flow")?.kind).toBe("too-deep");
  });
});
