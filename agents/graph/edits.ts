import { GRAPH_SCHEMA_VERSION, type GraphDoc, type GraphEdge, type GraphNode, type PortRef } from "./doc";
import { newId } from "./ids";
import { upgradeNode, type BlockLookup } from "./upgrade";

/**
 * Pure edits on a GraphDoc, shared by the canvas and (next) templates and importers. Each edit
 * returns a new document and shares every untouched node and edge object with the old one
 * (the canvas re-renders only what changed; an undo history of documents costs little), and
 * returns the very same document when it changes nothing.
 */
export type GraphEdit = (graph: GraphDoc) => GraphDoc;

export type Position = { x: number; y: number };

/** Whole pixels keep the saved document small and diff-friendly; sub-pixel positions mean nothing. */
function roundPosition(p: Position): Position {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

/** A new node with an id not in `taken`, at a (rounded) position. */
export function newNode(
  block: Pick<GraphNode, "type" | "version" | "config">,
  position: Position,
  taken?: ReadonlySet<string>,
): GraphNode {
  let id = newId("n", 8);
  while (taken?.has(id)) id = newId("n", 8);
  return { id, type: block.type, version: block.version, config: block.config, ui: roundPosition(position) };
}

/** A new edge between two ports, with an id free among `graph`'s edges. */
export function newEdge(from: PortRef, to: PortRef, graph: GraphDoc): GraphEdge {
  const ids = new Set(graph.edges.map((e) => e.id));
  let id = newId("e", 8);
  while (ids.has(id)) id = newId("e", 8);
  return { id, from: { ...from }, to: { ...to } };
}

export function nodeIds(graph: GraphDoc): Set<string> {
  return new Set(graph.nodes.map((n) => n.id));
}

export const addNodes =
  (nodes: readonly GraphNode[], edges: readonly GraphEdge[] = []): GraphEdit =>
  (graph) => ({ ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] });

export const addEdge =
  (edge: GraphEdge): GraphEdit =>
  (graph) => ({ ...graph, edges: [...graph.edges, edge] });

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

/**
 * Sets one top-level config field; `undefined` removes it (the block's default then applies).
 * A node saved by an older block version is upgraded first (see upgradeNode), so the edit lands
 * on the config shape the form shows.
 */
export const setConfigField =
  (nodeId: string, field: string, value: unknown, blocks: BlockLookup): GraphEdit =>
  (graph) =>
    updateNode(graph, nodeId, (old) => {
      const n = upgradeNode(old, blocks).node;
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

/** The chosen nodes and the edges that run between them, as a standalone GraphDoc (copy). */
export function extractFragment(graph: GraphDoc, selected: Iterable<string>): GraphDoc {
  const ids = new Set(selected);
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: graph.nodes.filter((n) => ids.has(n.id)),
    edges: graph.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node)),
  };
}

/** The top-left corner of a fragment's nodes, to place a paste where the user is looking. */
export function fragmentOrigin(fragment: GraphDoc): Position {
  if (fragment.nodes.length === 0) return { x: 0, y: 0 };
  return {
    x: Math.min(...fragment.nodes.map((n) => n.ui.x)),
    y: Math.min(...fragment.nodes.map((n) => n.ui.y)),
  };
}

