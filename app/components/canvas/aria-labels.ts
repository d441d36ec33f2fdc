import { blockRegistry } from "#agents/blocks/index";
import type { GraphEdge, GraphNode, NodePorts } from "#agents/graph/index";

/**
 * What a screen reader says for the canvas's blocks and wires. A wire is named by the blocks
 * and ports it joins, as a person sees them ("Chat Input (Message)"), never by internal ids.
 */

function blockTitle(node: GraphNode): string {
  return blockRegistry.get(node.type)?.title ?? node.type;
}

/** The name a person gave the block, else its kind. */
export function blockName(node: GraphNode): string {
  return node.ui.label || blockTitle(node);
}

export function nodeAriaLabel(node: GraphNode): string {
  return node.ui.label ? `${node.ui.label} (${blockTitle(node)} block)` : `${blockTitle(node)} block`;
}

export function edgeAriaLabel(
  edge: GraphEdge,
  nodeById: ReadonlyMap<string, GraphNode>,
  portsOf: (node: GraphNode) => NodePorts | undefined = (n) => blockRegistry.resolvePorts(n),
): string {
  const end = (nodeId: string, portId: string, side: "inputs" | "outputs") => {
    const node = nodeById.get(nodeId);
    if (!node) return `a missing block (${portId})`;
    const port = portsOf(node)?.[side].find((p) => p.id === portId);
    return `${blockName(node)} (${port?.label ?? portId})`;
  };
  return `Edge from ${end(edge.from.node, edge.from.port, "outputs")} to ${end(edge.to.node, edge.to.port, "inputs")}`;
}
