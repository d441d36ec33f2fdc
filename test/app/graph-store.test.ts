import { describe, expect, it } from "vitest";
import { emptyGraph, extractFragment, remapIds, serializeFlowFile, type GraphDoc } from "#agents/graph/index";
import {
  addEdge,
  addNodes,
  createNode,
  moveNodes,
  newEdge,
  removeElements,
  setConfigField,
  setLabel,
} from "#app/lib/graph-store/edits";
import {
  flowFileName,
  readFlowFileForEditor as parseFlowFile,
  readFragmentForEditor as parseFragment,
} from "#app/lib/graph-store/flow-file";
import { COALESCE_MS, GraphStore } from "#app/lib/graph-store/store";

function sampleGraph(): GraphDoc {
  const input = createNode("io.chat-input", { x: 0, y: 0 });
  const model = createNode("model.openai", { x: 300, y: 0 });
  const output = createNode("io.chat-output", { x: 600, y: 0 });
  let g: GraphDoc = addNodes([input, model, output])(emptyGraph());
  g = addEdge(newEdge({ node: input.id, port: "message" }, { node: model.id, port: "prompt" }, g))(g);
  g = addEdge(newEdge({ node: model.id, port: "text" }, { node: output.id, port: "message" }, g))(g);
  return g;
}

/** A clock the test moves by hand, so coalescing does not depend on how fast the test runs. */
function manualClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("GraphStore undo and redo", () => {
  it("apply → undo → redo gives back the same document for every kind of edit", () => {
    const base = sampleGraph();
    const [input, model] = base.nodes;
    const extra = createNode("prompt.template", { x: 10, y: 200 });
    const edits = [
      addNodes([extra]),
      moveNodes(new Map([[input!.id, { x: 42.4, y: -7.6 }]])),
      removeElements([model!.id]),
      removeElements([], [base.edges[0]!.id]),
      setConfigField(model!.id, "temperature", 1.5),
      setConfigField(model!.id, "temperature", undefined),
      setLabel(input!.id, "Customer question"),
    ];
    for (const edit of edits) {
      const clock = manualClock();
      const store = new GraphStore(base, clock.now);
      expect(store.apply(edit)).toBe(true);
      const edited = store.graph;
      expect(edited).not.toEqual(base);
      expect(store.undo()).toBe(true);
      expect(store.graph).toEqual(base);
      expect(store.redo()).toBe(true);
      expect(store.graph).toEqual(edited);
    }
  });

  it("merges typing in one field into one step, but not edits to different fields or after a pause", () => {
    const clock = manualClock();
    const base = sampleGraph();
    const model = base.nodes[1]!;
    const store = new GraphStore(base, clock.now);
    for (const value of ["g", "gp", "gpt"]) {
      store.apply(setConfigField(model.id, "model", value), { coalesceKey: `${model.id}.model` });
      clock.advance(100);
    }
    store.apply(setConfigField(model.id, "maxTokens", 10), { coalesceKey: `${model.id}.maxTokens` });
    clock.advance(COALESCE_MS + 1);
    store.apply(setConfigField(model.id, "maxTokens", 20), { coalesceKey: `${model.id}.maxTokens` });

    expect((store.graph.nodes[1]!.config as { maxTokens: number }).maxTokens).toBe(20);
    store.undo();
    expect((store.graph.nodes[1]!.config as { maxTokens: number }).maxTokens).toBe(10);
    store.undo();
    expect((store.graph.nodes[1]!.config as { model: string }).model).toBe("gpt");
    store.undo();
    expect(store.graph).toEqual(base);
    expect(store.getState().canUndo).toBe(false);
  });

  it("makes a drag gesture one undo step and a new edit clears redo", () => {
    const base = sampleGraph();
    const id = base.nodes[0]!.id;
    const store = new GraphStore(base);
    store.beginGesture();
    for (let x = 1; x <= 20; x++) store.apply(moveNodes(new Map([[id, { x, y: x }]])));
    store.endGesture();
    expect(store.graph.nodes[0]!.ui).toEqual({ x: 20, y: 20 });
    store.undo();
    expect(store.graph).toEqual(base);
    expect(store.getState().canRedo).toBe(true);
    store.apply(setLabel(id, "x"));
    expect(store.getState().canRedo).toBe(false);
  });

  it("drops selected ids that an undo removed", () => {
    const store = new GraphStore(sampleGraph());
    const extra = createNode("prompt.template", { x: 0, y: 0 });
    store.apply(addNodes([extra]), { select: { nodes: [extra.id] } });
    expect([...store.getState().selection.nodes]).toEqual([extra.id]);
    store.undo();
    expect(store.getState().selection.nodes.size).toBe(0);
  });
});

describe("copy and paste", () => {
  it("copies the selection with its inner edges and pastes it with fresh ids", () => {
    const graph = sampleGraph();
    const [input, model] = graph.nodes;
    const fragment = extractFragment(graph, [input!.id, model!.id]);
    expect(fragment.nodes).toHaveLength(2);
    expect(fragment.edges).toHaveLength(1); // the edge to the output node is left behind

    const parsed = parseFragment(JSON.stringify(fragment));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const pasted = remapIds(parsed.fragment, graph, { x: 40, y: 40 });
    const oldIds = new Set([...graph.nodes.map((n) => n.id), ...graph.edges.map((e) => e.id)]);
    for (const n of pasted.nodes) expect(oldIds.has(n.id)).toBe(false);
    expect(oldIds.has(pasted.edges[0]!.id)).toBe(false);
    expect(pasted.edges[0]!.from.node).toBe(pasted.idMap.get(input!.id));
    expect(pasted.edges[0]!.to.node).toBe(pasted.idMap.get(model!.id));
    expect(pasted.nodes[0]!.ui).toEqual({ x: input!.ui.x + 40, y: input!.ui.y + 40 });

    // Pasting twice into the result never reuses an id.
    const after = addNodes(pasted.nodes, pasted.edges)(graph);
    const again = remapIds(parsed.fragment, after, { x: 80, y: 80 });
    const taken = new Set([...after.nodes.map((n) => n.id), ...after.edges.map((e) => e.id)]);
    for (const n of again.nodes) expect(taken.has(n.id)).toBe(false);
  });

  it("accepts a flow file on the clipboard and refuses other text", () => {
    const graph = sampleGraph();
    expect(parseFragment(serializeFlowFile({ name: "x", graph })).ok).toBe(true);
    expect(parseFragment("hello")).toEqual({ ok: false, message: "The clipboard does not hold Skyloom blocks.", details: [] });
    const alien = { ...graph, nodes: [{ ...graph.nodes[0]!, type: "no.such-block" }], edges: [] };
    const result = parseFragment(JSON.stringify(alien));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain("no.such-block");
  });
});

describe("flow files", () => {
  it("round-trips export and import", () => {
    const graph = sampleGraph();
    const parsed = parseFlowFile(serializeFlowFile({ name: "Support bot", graph }));
    expect(parsed).toEqual({ ok: true, file: { name: "Support bot", graph }, changes: [], problems: [] });
    expect(flowFileName("Support bot / v2!")).toBe("support-bot-v2.flow.json");
  });

  it("rejects bad files with a reason", () => {
    const notJson = parseFlowFile("{ nope");
    expect(notJson.ok).toBe(false);
    if (!notJson.ok) expect(notJson.message).toMatch(/not valid JSON/);

    const wrongShape = parseFlowFile(JSON.stringify({ name: "x", graph: { nodes: [] } }));
    expect(wrongShape.ok).toBe(false);
    if (!wrongShape.ok) expect(wrongShape.details.join(" ")).toMatch(/graph\.(schemaVersion|edges)/);

    const graph = sampleGraph();
    const dangling = { ...graph, edges: [{ id: "e_x", from: { node: "ghost", port: "message" }, to: { node: graph.nodes[1]!.id, port: "prompt" } }] };
    const broken = parseFlowFile(JSON.stringify({ name: "x", graph: dangling }));
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.details[0]).toMatch(/missing node "ghost"/);

    const unknownType = parseFlowFile(JSON.stringify({ name: "x", graph: { ...graph, nodes: [{ ...graph.nodes[0]!, type: "evil.block" }], edges: [] } }));
    expect(unknownType.ok).toBe(false);
    if (!unknownType.ok) expect(unknownType.details[0]).toMatch(/Unknown block type "evil.block"/);
  });

  it("keeps a saved node lean: no schema or UI state, ~300 bytes plus config", () => {
    const node = createNode("model.openai", { x: 123.456, y: 78.9 });
    const withoutConfig = JSON.stringify({ ...node, config: {} });
    expect(withoutConfig.length).toBeLessThan(300);
    expect(Object.keys(node).sort()).toEqual(["config", "id", "type", "ui", "version"]);
    expect(node.ui).toEqual({ x: 123, y: 79 });
  });
});

describe("editing a node saved by an older block version", () => {
  it("brings the node up to the current version first, so the edit lands on the current config shape", () => {
    const old: GraphDoc = {
      schemaVersion: 1,
      nodes: [
        {
          id: "http",
          type: "tool.http",
          version: 1,
          config: { url: "https://api.example.com/{q}", headers: [{ name: "Accept", value: "text/plain" }] },
          ui: { x: 0, y: 0 },
        },
      ],
      edges: [],
    };
    const edited = setConfigField("http", "headers", { Accept: "text/plain", "X-Trace": "on" })(old);
    expect(edited.nodes[0]).toMatchObject({
      version: 2,
      config: { url: "https://api.example.com/{q}", headers: { Accept: "text/plain", "X-Trace": "on" } },
    });
    // Setting a field to what it already is (after the upgrade) is no edit at all.
    expect(setConfigField("http", "url", "https://api.example.com/{q}")(old)).toBe(old);
  });
});
