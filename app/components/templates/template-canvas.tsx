import { Background, Controls, ReactFlow, type Edge } from "@xyflow/react";
import { useMemo } from "react";
import { blockRegistry } from "#agents/blocks/index";
import type { GraphDoc } from "#agents/graph/index";
import { NODE_TYPES, type BlockFlowNode } from "../canvas/block-node";
import { estimateHandles, estimateNodeSize } from "../canvas/node-geometry";

/**
 * A template's graph on the real canvas (the editor's blocks and wires), read-only: it can
 * be panned and zoomed, nothing can be moved, wired or selected.
 */
export function TemplateCanvas({ graph }: { graph: GraphDoc }) {
  const nodes: BlockFlowNode[] = useMemo(
    () =>
      graph.nodes.map((node) => {
        const ports = blockRegistry.resolvePorts(node) ?? { inputs: [], outputs: [] };
        return {
          id: node.id,
          type: "block",
          position: { x: node.ui.x, y: node.ui.y },
          data: { node, diagnostics: undefined, status: undefined },
          // Known sizes: React Flow can draw the wires before it measured the blocks.
          measured: estimateNodeSize(ports),
          handles: estimateHandles(ports),
          draggable: false,
          connectable: false,
          selectable: false,
        };
      }),
    [graph],
  );
  const edges: Edge[] = useMemo(
    () =>
      graph.edges.map((e) => ({
        id: e.id,
        source: e.from.node,
        sourceHandle: e.from.port,
        target: e.to.node,
        targetHandle: e.to.port,
        selectable: false,
        style: { stroke: "#94a3b8", strokeWidth: 1.5 },
      })),
    [graph],
  );
  return (
    <div className="h-full w-full" data-testid="template-canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        fitView
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        nodesFocusable={false}
        deleteKeyCode={null}
        proOptions={{ hideAttribution: true }}
        aria-label="Read-only preview of the template's graph"
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
