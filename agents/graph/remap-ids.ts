import type { GraphDoc, GraphEdge, GraphNode } from "./doc";
import { newId } from "./ids";

/**
 * Fresh ids for a fragment about to join a graph (paste, duplicate, a template dropped into a
 * flow): every node and edge gets an id free in `target`, edges are rewired to the new node
 * ids, and nodes shift by `offset`. Edges whose ends are not both in the fragment are left out.
 * Configs are deep-copied, so the fragment and its copy never share a mutable value.
 */
export function remapIds(
  fragment: GraphDoc,
  target: GraphDoc,
  offset: { x: number; y: number } = { x: 0, y: 0 },
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
