import type { GraphNode } from "./doc";

/**
 * How people see a node named: by its label on the canvas, else by its block's title, never by
 * its id. Messages for people (diagnostics, run errors) use these; ids stay for machines.
 */

/** The name the canvas shows on the node: its label, else its block's title. */
export function nodeLabel(node: Pick<GraphNode, "ui">, blockTitle: string): string {
  return node.ui.label?.trim() || blockTitle;
}

/**
 * A node named inside a sentence: `Chat Model "GPT"` when it has a label of its own, else
 * just `Chat Model`, so "Check the Base URL of Chat Model "GPT"" reads right either way.
 */
export function nodeName(node: Pick<GraphNode, "ui">, blockTitle: string): string {
  const label = node.ui.label?.trim();
  return label && label !== blockTitle ? `${blockTitle} "${label}"` : blockTitle;
}

/** Names the nodes of one graph for sentences (see nodeName); undefined for an id not in it. */
export function nodeNamer(
  graph: { nodes: readonly GraphNode[] },
  blocks: { get(type: string): { title: string } | undefined },
): (nodeId: string) => string | undefined {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (nodeId) => {
    const node = byId.get(nodeId);
    return node ? nodeName(node, blocks.get(node.type)?.title ?? node.type) : undefined;
  };
}
