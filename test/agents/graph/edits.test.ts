import { describe, expect, it } from "vitest";
import {
  addNodes,
  emptyGraph,
  extractFragment,
  moveNodes,
  newEdge,
  newNode,
  remapIds,
  removeElements,
  setConfigField,
  type GraphDoc,
} from "#agents/graph/index";
import { registryWithGreeting } from "../../fixtures/blocks/greeting-block";

/** The kernel's graph edits, with the test block's lookup (the canvas binds this build's registry). */

function twoGreetings(): GraphDoc {
  const a = newNode({ type: "test.greeting", version: 2, config: { names: ["Ada"] } }, { x: 0.4, y: 10.6 });
  const b = newNode({ type: "test.greeting", version: 1, config: { greeting: "Yo", name: "Bo" } }, { x: 300, y: 0 }, new Set([a.id]));
  const g = addNodes([a, b])(emptyGraph());
  return addNodes([], [newEdge({ node: a.id, port: "text" }, { node: b.id, port: "text" }, g)])(g);
}

describe("graph edits", () => {
  it("round positions, share untouched nodes, and return the same document for a no-op", () => {
    const g = twoGreetings();
    expect(g.nodes[0]!.ui).toEqual({ x: 0, y: 11 });
    const moved = moveNodes(new Map([[g.nodes[1]!.id, { x: 310.2, y: 0 }]]))(g);
    expect(moved.nodes[0]).toBe(g.nodes[0]);
    expect(moved.nodes[1]!.ui).toEqual({ x: 310, y: 0 });
    expect(moveNodes(new Map([[g.nodes[0]!.id, { x: 0, y: 11 }]]))(g)).toBe(g);
    expect(removeElements([])(g)).toBe(g);
    expect(removeElements([g.nodes[0]!.id])(g)).toMatchObject({ nodes: [g.nodes[1]], edges: [] });
  });

  it("setConfigField upgrades an old node first, through the lookup it is given", () => {
    const g = twoGreetings();
    const old = g.nodes[1]!;
    const edited = setConfigField(old.id, "punctuation", ".", registryWithGreeting)(g);
    expect(edited.nodes[1]).toMatchObject({ version: 2, config: { salutation: "Yo", names: ["Bo"], punctuation: "." } });
    expect(edited.nodes[0]).toBe(g.nodes[0]);
  });

  it("remapIds gives a pasted fragment fresh ids free in the target and rewires its edges", () => {
    const g = twoGreetings();
    const fragment = extractFragment(g, g.nodes.map((n) => n.id));
    const { nodes, edges, idMap } = remapIds(fragment, g, { x: 40, y: 40 });
    const taken = new Set([...g.nodes.map((n) => n.id), ...g.edges.map((e) => e.id)]);
    for (const id of [...nodes.map((n) => n.id), ...edges.map((e) => e.id)]) expect(taken.has(id)).toBe(false);
    expect(edges[0]).toMatchObject({ from: { node: idMap.get(g.nodes[0]!.id) }, to: { node: idMap.get(g.nodes[1]!.id) } });
    expect(nodes[0]!.ui).toEqual({ x: 40, y: 51 });
    // The copy's config is its own: editing it cannot reach the original.
    expect(nodes[0]!.config).toEqual(g.nodes[0]!.config);
    expect(nodes[0]!.config).not.toBe(g.nodes[0]!.config);
  });
});
