import { Background, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import { memo, useMemo } from "react";
import { blockRegistry } from "#agents/blocks/index";
import type { GraphDoc } from "#agents/graph/index";
import { formatDuration, type NodeTrace } from "./trace";

type RunNodeData = { label: string; blockTitle: string; trace: NodeTrace | undefined; selected: boolean };
type RunFlowNode = Node<RunNodeData, "run">;

const STATE_STYLES: Record<NodeTrace["state"] | "idle", string> = {
  idle: "border-slate-200 bg-slate-50 text-slate-400",
  running: "border-brand-500 bg-brand-50 ring-2 ring-brand-200",
  done: "border-emerald-500 bg-emerald-50",
  error: "border-red-500 bg-red-50",
  skipped: "border-dashed border-slate-300 bg-white text-slate-400",
  stopped: "border-slate-400 bg-slate-100",
};
const STATE_TEXT: Record<NodeTrace["state"] | "idle", string> = {
  idle: "did not run",
  running: "running",
  done: "done",
  error: "failed",
  skipped: "skipped",
  stopped: "stopped",
};

const RunNode = memo(function RunNode({ id, data }: NodeProps<RunFlowNode>) {
  const state = data.trace?.state ?? "idle";
  return (
    <div
      className={`w-48 rounded-md border-2 px-3 py-2 text-xs shadow-sm ${STATE_STYLES[state]} ${data.selected ? "outline outline-2 outline-offset-2 outline-brand-600" : ""}`}
      data-testid={`run-node-${id}`}
      data-state={state}
    >
      <Handle type="target" position={Position.Left} className="!h-2 !w-2 !border-0 !bg-slate-400" isConnectable={false} />
      <div className="truncate font-semibold text-slate-800">{data.label}</div>
      <div className="truncate text-slate-500">{data.blockTitle}</div>
      <div className="mt-1 flex justify-between">
        <span>{STATE_TEXT[state]}</span>
        {data.trace && state !== "skipped" && <span className="tabular-nums">{formatDuration(data.trace.durationMs)}</span>}
      </div>
      {data.trace?.error && (
        <div className={`mt-1 line-clamp-3 ${state === "stopped" ? "text-slate-600" : "text-red-700"}`} data-testid={`run-node-${id}-error`}>
          {data.trace.error}
        </div>
      )}
      <Handle type="source" position={Position.Right} className="!h-2 !w-2 !border-0 !bg-slate-400" isConnectable={false} />
    </div>
  );
});

const nodeTypes = { run: RunNode };

/** The flow as it ran, read-only, with each node coloured by what happened to it. */
export function RunCanvas({
  graph,
  traces,
  selectedNodeId,
  onSelect,
}: {
  graph: GraphDoc;
  traces: readonly NodeTrace[];
  selectedNodeId: string | null;
  onSelect(nodeId: string): void;
}) {
  const byNode = useMemo(() => new Map(traces.map((t) => [t.nodeId, t])), [traces]);
  const nodes: RunFlowNode[] = useMemo(
    () =>
      graph.nodes.map((n) => {
        const title = blockRegistry.get(n.type)?.title ?? n.type;
        return {
          id: n.id,
          type: "run",
          position: { x: n.ui.x, y: n.ui.y },
          data: { label: n.ui.label || title, blockTitle: title, trace: byNode.get(n.id), selected: n.id === selectedNodeId },
          draggable: false,
          connectable: false,
        };
      }),
    [graph, byNode, selectedNodeId],
  );
  const edges: Edge[] = useMemo(
    () =>
      graph.edges.map((e) => {
        const from = byNode.get(e.from.node);
        const active = from?.state === "done";
        return { id: e.id, source: e.from.node, target: e.to.node, animated: from?.state === "running", style: { stroke: active ? "#059669" : "#94a3b8", strokeWidth: active ? 2 : 1 } };
      }),
    [graph, byNode],
  );
  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      fitView
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      onNodeClick={(_e, node) => onSelect(node.id)}
      proOptions={{ hideAttribution: true }}
    >
      <Background />
    </ReactFlow>
  );
}
