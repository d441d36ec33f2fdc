import type { GraphDoc } from "#agents/graph/index";

export type NodeSize = { width: number; height: number };

/** Used for nodes React Flow has not measured yet (off screen with onlyRenderVisibleElements). */
const FALLBACK_SIZE: NodeSize = { width: 240, height: 120 };

/**
 * Positions for every node from ELK's layered algorithm: left to right, edges routed
 * between ports, in the order the data flows. Loaded on first use (ELK is ~1.5 MB), so the
 * editor opens without it.
 */
export async function computeLayout(
  graph: GraphDoc,
  sizeOf: (nodeId: string) => NodeSize | undefined,
): Promise<Map<string, { x: number; y: number }>> {
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  const elk = new ELK();
  const result = await elk.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": "80",
      "elk.spacing.nodeNode": "40",
      "elk.spacing.componentComponent": "60",
      "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
    },
    children: graph.nodes.map((n) => ({ id: n.id, ...(sizeOf(n.id) ?? FALLBACK_SIZE) })),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [e.from.node], targets: [e.to.node] })),
  });
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of result.children ?? []) {
    positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  }
  return positions;
}
