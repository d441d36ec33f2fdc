import { blockRegistry } from "#agents/blocks/index";
import { GraphDocSchema, newId, type GraphDoc, type GraphEdge, type GraphNode } from "#agents/graph/index";

/**
 * Copy and paste move GraphDoc JSON through the system clipboard, so a selection travels
 * between flows, tabs and even into a text file. Pasting always gets fresh ids: the same
 * fragment can be pasted many times into the same flow.
 */

/** The selected nodes and the edges that run between them, as a standalone GraphDoc. */
export function extractFragment(graph: GraphDoc, selected: Iterable<string>): GraphDoc {
  const ids = new Set(selected);
  return {
    schemaVersion: 1,
    nodes: graph.nodes.filter((n) => ids.has(n.id)),
    edges: graph.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node)),
  };
}

export function serializeFragment(fragment: GraphDoc): string {
  return JSON.stringify(fragment);
}

export type ParsedFragment = { ok: true; fragment: GraphDoc } | { ok: false; message: string };

/**
 * Reads clipboard text as a fragment: a GraphDoc, or a flow file (`{ name, graph }`). Unknown
 * block types are refused (they could not be saved); edges to nodes outside the fragment are
 * dropped, since they have nothing to attach to.
 */
export function parseFragment(text: string): ParsedFragment {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, message: "The clipboard does not hold Skyloom blocks." };
  }
  const candidate =
    data !== null && typeof data === "object" && "graph" in data ? (data as { graph: unknown }).graph : data;
  const parsed = GraphDocSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, message: "The clipboard does not hold Skyloom blocks." };
  const unknown = parsed.data.nodes.find((n) => !blockRegistry.get(n.type));
  if (unknown) return { ok: false, message: `The pasted blocks include an unknown type "${unknown.type}".` };
  const ids = new Set(parsed.data.nodes.map((n) => n.id));
  return {
    ok: true,
    fragment: { ...parsed.data, edges: parsed.data.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node)) },
  };
}

/**
 * Gives every node and edge of a fragment a new id that is free in `target`, rewires the
 * edges, and shifts the nodes by `offset`. Returns the new nodes and edges, ready to add.
 */
export function remapFragment(
  fragment: GraphDoc,
  target: GraphDoc,
  offset: { x: number; y: number },
): { nodes: GraphNode[]; edges: GraphEdge[]; idMap: Map<string, string> } {
  const taken = new Set<string>([...target.nodes.map((n) => n.id), ...target.edges.map((e) => e.id)]);
  const fresh = (prefix: string) => {
    let id = newId(prefix, 8);
    while (taken.has(id)) id = newId(prefix, 8);
    taken.add(id);
    return id;
  };
  const idMap = new Map<string, string>();
  const nodes = fragment.nodes.map((n) => {
    const id = fresh("n");
    idMap.set(n.id, id);
    return {
      ...n,
      id,
      config: structuredClone(n.config),
      ui: { ...n.ui, x: Math.round(n.ui.x + offset.x), y: Math.round(n.ui.y + offset.y) },
    };
  });
  const edges: GraphEdge[] = [];
  for (const e of fragment.edges) {
    const from = idMap.get(e.from.node);
    const to = idMap.get(e.to.node);
    if (!from || !to) continue;
    edges.push({ id: fresh("e"), from: { node: from, port: e.from.port }, to: { node: to, port: e.to.port } });
  }
  return { nodes, edges, idMap };
}

/** The top-left corner of a fragment's nodes, to place a paste where the user is looking. */
export function fragmentOrigin(fragment: GraphDoc): { x: number; y: number } {
  if (fragment.nodes.length === 0) return { x: 0, y: 0 };
  return {
    x: Math.min(...fragment.nodes.map((n) => n.ui.x)),
    y: Math.min(...fragment.nodes.map((n) => n.ui.y)),
  };
}
