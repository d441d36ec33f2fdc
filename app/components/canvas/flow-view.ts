import type { Edge } from "@xyflow/react";
import { useMemo, useRef } from "react";
import type { Diagnostic } from "#agents/graph/diagnostics";
import type { GraphDoc, GraphEdge, GraphNode, NodePorts } from "#agents/graph/index";
import { blockRegistry } from "#agents/blocks/index";
import type { Selection } from "#app/lib/graph-store/store";
import { edgeAriaLabel, nodeAriaLabel } from "./aria-labels";
import type { BlockFlowNode } from "./block-node";
import { estimateHandles, estimateNodeSize } from "./node-geometry";
import type { NodeStatus } from "./node-overlay";
import { PORT_COLORS } from "./port-colors";

export type MeasuredSizes = ReadonlyMap<string, { width: number; height: number }>;

type NodeEntry = {
  src: GraphNode;
  selected: boolean;
  diagnostics: readonly Diagnostic[] | undefined;
  status: NodeStatus | undefined;
  measured: { width: number; height: number } | undefined;
  draggable: boolean;
  out: BlockFlowNode;
};
type EdgeEntry = { src: GraphEdge; selected: boolean; invalid: boolean; label: string; namesVersion: number; out: Edge };

/**
 * A number that changes whenever an existing block's name or ports may have changed (its
 * label, type or config), but not when blocks only move: edge labels name their blocks and
 * ports, and must not be derived again 60 times a second during a drag. (Added and removed
 * blocks bring or take their edges along, which are derived anyway.)
 */
function useNamesVersion(nodes: readonly GraphNode[]): number {
  const seen = useRef<{ nodes: readonly GraphNode[]; version: number }>({ nodes: [], version: 0 });
  return useMemo(() => {
    const previous = seen.current.nodes;
    // Usually the same blocks in the same order (a drag): compare side by side, no map needed.
    const sameOrder = previous.length === nodes.length && nodes.every((n, i) => previous[i]?.id === n.id);
    const byId = sameOrder ? null : new Map(previous.map((n) => [n.id, n]));
    const renamed = nodes.some((n, i) => {
      const p = byId ? byId.get(n.id) : previous[i];
      return p !== undefined && p !== n && (p.type !== n.type || p.config !== n.config || p.ui.label !== n.ui.label);
    });
    seen.current = { nodes, version: renamed ? seen.current.version + 1 : seen.current.version };
    return seen.current.version;
  }, [nodes]);
}

/**
 * React Flow nodes and edges derived from the GraphDoc. Each output object is reused while
 * its inputs are unchanged, so React Flow (which compares node objects) re-renders only the
 * node being dragged or edited, not all 500.
 */
export function useFlowElements(
  graph: GraphDoc,
  selection: Selection,
  diagnosticsByNode: ReadonlyMap<string, Diagnostic[]>,
  invalidEdges: ReadonlySet<string>,
  statuses: ReadonlyMap<string, NodeStatus>,
  measured: MeasuredSizes,
  measuredVersion: number,
  draggable: boolean,
): { nodes: BlockFlowNode[]; edges: Edge[] } {
  const nodeCache = useRef(new Map<string, NodeEntry>());
  const edgeCache = useRef(new Map<string, EdgeEntry>());

  const nodes = useMemo(() => {
    const next = new Map<string, NodeEntry>();
    const out = graph.nodes.map((n) => {
      const selected = selection.nodes.has(n.id);
      const diagnostics = diagnosticsByNode.get(n.id);
      const status = statuses.get(n.id);
      const size = measured.get(n.id);
      const prev = nodeCache.current.get(n.id);
      if (
        prev &&
        prev.src === n &&
        prev.selected === selected &&
        prev.diagnostics === diagnostics &&
        prev.status === status &&
        prev.measured === size &&
        prev.draggable === draggable
      ) {
        next.set(n.id, prev);
        return prev.out;
      }
      // Until React Flow has measured a node, it gets the known geometry (see node-geometry.ts).
      let geometry: Pick<BlockFlowNode, "measured" | "handles">;
      if (size) geometry = { measured: size };
      else {
        const ports = blockRegistry.resolvePorts(n) ?? { inputs: [], outputs: [] };
        geometry = { measured: estimateNodeSize(ports), handles: estimateHandles(ports) };
      }
      const node: BlockFlowNode = {
        id: n.id,
        type: "block",
        position: { x: n.ui.x, y: n.ui.y },
        data: { node: n, diagnostics, status },
        selected,
        draggable,
        ariaLabel: nodeAriaLabel(n),
        ...geometry,
      };
      next.set(n.id, { src: n, selected, diagnostics, status, measured: size, draggable, out: node });
      return node;
    });
    nodeCache.current = next;
    return out;
    // measuredVersion stands in for changes inside the mutable `measured` map.
  }, [graph.nodes, selection.nodes, diagnosticsByNode, statuses, measured, measuredVersion, draggable]);

  // Edge colours and labels need the nodes, but edges must not be re-derived when a node moves
  // (a new edges array makes React Flow rebuild its connection index), so nodes come by ref.
  const nodesRef = useRef(graph.nodes);
  nodesRef.current = graph.nodes;
  const namesVersion = useNamesVersion(graph.nodes);
  const lastEdges = useRef<Edge[]>([]);
  const edges = useMemo(() => {
    const next = new Map<string, EdgeEntry>();
    const portCache = new Map<string, NodePorts | undefined>();
    const portsOf = (n: GraphNode) => {
      if (!portCache.has(n.id)) portCache.set(n.id, blockRegistry.resolvePorts(n));
      return portCache.get(n.id);
    };
    let nodeById: Map<string, GraphNode> | undefined;
    const nodes = () => (nodeById ??= new Map(nodesRef.current.map((n) => [n.id, n])));
    const out = graph.edges.map((e) => {
      const selected = selection.edges.has(e.id);
      const invalid = invalidEdges.has(e.id);
      const prev = edgeCache.current.get(e.id);
      const label = prev && prev.src === e && prev.namesVersion === namesVersion ? prev.label : edgeAriaLabel(e, nodes(), portsOf);
      if (prev && prev.src === e && prev.selected === selected && prev.invalid === invalid && prev.label === label) {
        next.set(e.id, { ...prev, namesVersion });
        return prev.out;
      }
      const sourceNode = nodes().get(e.from.node);
      const type = sourceNode ? portsOf(sourceNode)?.outputs.find((p) => p.id === e.from.port)?.type : undefined;
      const color = type ? PORT_COLORS[type] : PORT_COLORS.json;
      const edge: Edge = {
        id: e.id,
        source: e.from.node,
        sourceHandle: e.from.port,
        target: e.to.node,
        targetHandle: e.to.port,
        selected,
        // A wire the compiler rejects (after Validate) is drawn red and dashed.
        style: invalid ? { stroke: "#dc2626", strokeWidth: 3, strokeDasharray: "6 4" } : { stroke: color, strokeWidth: selected ? 3 : 2 },
        ariaLabel: label,
      };
      next.set(e.id, { src: e, selected, invalid, label, namesVersion, out: edge });
      return edge;
    });
    edgeCache.current = next;
    const previous = lastEdges.current;
    if (previous.length === out.length && out.every((e, i) => e === previous[i])) return previous;
    lastEdges.current = out;
    return out;
  }, [graph.edges, selection.edges, invalidEdges, namesVersion]);

  return { nodes, edges };
}
