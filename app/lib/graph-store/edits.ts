import { blockRegistry, defaultConfig, migrateConfig } from "#agents/blocks/index";
import { newId, type GraphDoc, type GraphEdge, type GraphNode, type PortRef } from "#agents/graph/index";

/**
 * Pure edits on a GraphDoc. Each returns a new document and shares every untouched node and
 * edge object with the old one, so the canvas re-renders only what changed and the undo
 * history (a list of documents) costs little memory.
 */
export type GraphEdit = (graph: GraphDoc) => GraphDoc;

export type Position = { x: number; y: number };

/** Whole pixels keep the saved document small and diff-friendly; sub-pixel positions mean nothing. */
function roundPosition(p: Position): Position {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

/** A new node of a registered block at a position, with the block's default config. */
export function createNode(type: string, position: Position, existing?: ReadonlySet<string>): GraphNode {
  const block = blockRegistry.get(type);
  if (!block) throw new Error(`Unknown block type "${type}".`);
  let id = newId("n", 8);
  while (existing?.has(id)) id = newId("n", 8);
  return { id, type: block.type, version: block.version, config: defaultConfig(block), ui: roundPosition(position) };
}

export function nodeIds(graph: GraphDoc): Set<string> {
  return new Set(graph.nodes.map((n) => n.id));
}

export const addNodes =
  (nodes: readonly GraphNode[], edges: readonly GraphEdge[] = []): GraphEdit =>
  (graph) => ({ ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] });

export const moveNodes =
  (positions: ReadonlyMap<string, Position>): GraphEdit =>
  (graph) => {
    let changed = false;
    const nodes = graph.nodes.map((n) => {
      const p = positions.get(n.id);
      if (!p) return n;
      const r = roundPosition(p);
      if (r.x === n.ui.x && r.y === n.ui.y) return n;
      changed = true;
      return { ...n, ui: { ...n.ui, x: r.x, y: r.y } };
    });
    return changed ? { ...graph, nodes } : graph;
  };

/** Removes nodes and edges; edges that touched a removed node go too. */
export const removeElements =
  (removeNodeIds: Iterable<string>, removeEdgeIds: Iterable<string> = []): GraphEdit =>
  (graph) => {
    const nodesGone = new Set(removeNodeIds);
    const edgesGone = new Set(removeEdgeIds);
    if (nodesGone.size === 0 && edgesGone.size === 0) return graph;
    const nodes = graph.nodes.filter((n) => !nodesGone.has(n.id));
    const edges = graph.edges.filter(
      (e) => !edgesGone.has(e.id) && !nodesGone.has(e.from.node) && !nodesGone.has(e.to.node),
    );
    if (nodes.length === graph.nodes.length && edges.length === graph.edges.length) return graph;
    return { ...graph, nodes, edges };
  };

export function newEdge(from: PortRef, to: PortRef, existing: GraphDoc): GraphEdge {
  const ids = new Set(existing.edges.map((e) => e.id));
  let id = newId("e", 8);
  while (ids.has(id)) id = newId("e", 8);
  return { id, from: { ...from }, to: { ...to } };
}

export const addEdge =
  (edge: GraphEdge): GraphEdit =>
  (graph) => ({ ...graph, edges: [...graph.edges, edge] });

function updateNode(graph: GraphDoc, nodeId: string, update: (n: GraphNode) => GraphNode): GraphDoc {
  let changed = false;
  const nodes = graph.nodes.map((n) => {
    if (n.id !== nodeId) return n;
    const next = update(n);
    if (next !== n) changed = true;
    return next;
  });
  return changed ? { ...graph, nodes } : graph;
}

function asRecord(config: unknown): Record<string, unknown> {
  return config !== null && typeof config === "object" && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
}

/** Sets one top-level config field; `undefined` removes it (the block's default then applies). */
/**
 * A node saved by an older version of its block, brought up to the current version (its
 * config through the block's migrate steps), so an edit lands on the shape the form shows.
 * Nodes that are current, unknown or cannot be upgraded stay as they are.
 */
export function upgradedNode(node: GraphNode): GraphNode {
  const block = blockRegistry.get(node.type);
  if (!block || node.version >= block.version) return node;
  const migrated = migrateConfig(block, node.version, node.config);
  return migrated.ok ? { ...node, version: block.version, config: migrated.config } : node;
}

export const setConfigField =
  (nodeId: string, field: string, value: unknown): GraphEdit =>
  (graph) =>
    updateNode(graph, nodeId, (old) => {
      const n = upgradedNode(old);
      const config = asRecord(n.config);
      if (Object.is(config[field], value) && (value !== undefined || !(field in config))) return old;
      const next = { ...config };
      if (value === undefined) delete next[field];
      else next[field] = value;
      return { ...n, config: next };
    });

export const setConfig =
  (nodeId: string, config: unknown): GraphEdit =>
  (graph) =>
    updateNode(graph, nodeId, (n) => (n.config === config ? n : { ...n, config }));

/** An empty label removes it, so the block's title shows again. */
export const setLabel =
  (nodeId: string, label: string): GraphEdit =>
  (graph) =>
    updateNode(graph, nodeId, (n) => {
      const trimmed = label.slice(0, 200);
      if ((n.ui.label ?? "") === trimmed) return n;
      const ui = { x: n.ui.x, y: n.ui.y, ...(trimmed ? { label: trimmed } : {}) };
      return { ...n, ui };
    });

export const replaceGraph =
  (next: GraphDoc): GraphEdit =>
  () =>
    next;

/**
 * A graph as it arrives over the API: JSON typing makes `config` optional, but the server
 * parsed it with GraphDocSchema before sending, so it is a GraphDoc.
 */
export type WireGraph = Omit<GraphDoc, "nodes"> & { nodes: (Omit<GraphNode, "config"> & { config?: unknown })[] };
export function fromWire(graph: WireGraph): GraphDoc {
  return graph as GraphDoc;
}
