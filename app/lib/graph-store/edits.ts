import { blockRegistry, defaultConfig } from "#agents/blocks/index";
import {
  newNode,
  setConfigField as setConfigFieldOf,
  upgradeNode,
  type GraphDoc,
  type GraphEdit,
  type GraphNode,
  type Position,
} from "#agents/graph/index";

/**
 * The graph edits live in the kernel (agents/graph/edits.ts); this module binds the ones that
 * need to know blocks to this build's block registry, for the canvas.
 */
export {
  addEdge,
  addNodes,
  moveNodes,
  newEdge,
  nodeIds,
  removeElements,
  replaceGraph,
  setConfig,
  setLabel,
  type GraphEdit,
  type Position,
} from "#agents/graph/index";

/** A new node of a registered block at a position, with the block's default config. */
export function createNode(type: string, position: Position, existing?: ReadonlySet<string>): GraphNode {
  const block = blockRegistry.get(type);
  if (!block) throw new Error(`Unknown block type "${type}".`);
  return newNode({ type: block.type, version: block.version, config: defaultConfig(block) }, position, existing);
}

/**
 * A node saved by an older version of its block, brought up to the current version (its
 * config through the block's migrate steps), so the form shows the current shape. Nodes that
 * are current, unknown or cannot be upgraded stay as they are.
 */
export function upgradedNode(node: GraphNode): GraphNode {
  return upgradeNode(node, blockRegistry).node;
}

/** Sets one top-level config field (upgrading an old node first); `undefined` removes it. */
export const setConfigField = (nodeId: string, field: string, value: unknown): GraphEdit =>
  setConfigFieldOf(nodeId, field, value, blockRegistry);

/**
 * A graph as it arrives over the API: JSON typing makes `config` optional, but the server
 * parsed it with GraphDocSchema before sending, so it is a GraphDoc.
 */
export type WireGraph = Omit<GraphDoc, "nodes"> & { nodes: (Omit<GraphNode, "config"> & { config?: unknown })[] };
export function fromWire(graph: WireGraph): GraphDoc {
  return graph as GraphDoc;
}
