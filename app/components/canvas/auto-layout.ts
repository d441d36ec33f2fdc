import { blockRegistry } from "#agents/blocks/index";
import type { GraphDoc, GraphNode } from "#agents/graph/index";
import { estimateHandles, HANDLE_SIZE } from "./node-geometry";

export type NodeSize = { width: number; height: number };

/** Room between blocks: ports stick out of the sides and a wire needs space to bend. */
const SPACING = { betweenLayers: 96, betweenBlocks: 48, betweenGroups: 72 };

type ElkPort = { id: string; x: number; y: number; width: number; height: number; layoutOptions: Record<string, string> };

/** A node's ports at their drawn places, so ELK routes each wire to its own port. */
function portsOf(node: GraphNode, size: NodeSize): ElkPort[] {
  const ports = blockRegistry.resolvePorts(node);
  if (!ports) return [];
  return estimateHandles(ports).map((h) => ({
    id: portKey(node.id, h.type === "target" ? "in" : "out", h.id ?? ""),
    // Inputs sit on the left border, outputs on the right one (the measured width may differ from the estimate).
    x: h.type === "target" ? -HANDLE_SIZE : size.width,
    y: h.y,
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
    layoutOptions: { "elk.port.side": h.type === "target" ? "WEST" : "EAST" },
  }));
}

function portKey(nodeId: string, side: "in" | "out", portId: string): string {
  return `${nodeId}\u0000${side}\u0000${portId}`;
}

/**
 * Positions for every node from ELK's layered algorithm: left to right, in the order the
 * data flows, with each block at its real size (`sizeOf` gives what React Flow measured) so
 * no two blocks overlap and no port ends up under a neighbour. Loaded on first use (ELK is
 * ~1.5 MB), so the editor opens without it.
 */
export async function computeLayout(
  graph: GraphDoc,
  sizeOf: (node: GraphNode) => NodeSize,
): Promise<Map<string, { x: number; y: number }>> {
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  const elk = new ELK();
  const portIds = new Set<string>();
  const children = graph.nodes.map((n) => {
    const size = sizeOf(n);
    const ports = portsOf(n, size);
    for (const p of ports) portIds.add(p.id);
    return { id: n.id, ...size, ports, layoutOptions: { "elk.portConstraints": "FIXED_POS" } };
  });
  // A wire to a port the block no longer has (an imported or older flow) attaches to the block itself.
  const endpoint = (nodeId: string, side: "in" | "out", portId: string) => {
    const key = portKey(nodeId, side, portId);
    return portIds.has(key) ? key : nodeId;
  };
  const nodeIds = new Set(graph.nodes.map((n) => n.id));
  const result = await elk.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": String(SPACING.betweenLayers),
      "elk.spacing.nodeNode": String(SPACING.betweenBlocks),
      "elk.spacing.componentComponent": String(SPACING.betweenGroups),
      "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
    },
    children,
    edges: graph.edges
      .filter((e) => nodeIds.has(e.from.node) && nodeIds.has(e.to.node))
      .map((e) => ({ id: e.id, sources: [endpoint(e.from.node, "out", e.from.port)], targets: [endpoint(e.to.node, "in", e.to.port)] })),
  });
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of result.children ?? []) {
    positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  }
  return positions;
}
