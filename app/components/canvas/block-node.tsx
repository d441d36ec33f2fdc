import { Handle, Position, useUpdateNodeInternals, type Node, type NodeProps } from "@xyflow/react";
import { AlertCircle, CheckCircle2, Loader2 } from "lucide-react";
import { memo, useEffect, useMemo, useRef } from "react";
import { blockRegistry, parseBlockConfig } from "#agents/blocks/index";
import type { Diagnostic } from "#agents/graph/diagnostics";
import { DATA_TYPE_LABELS, type GraphNode, type PortSpec } from "#agents/graph/index";
import { BlockIcon } from "./block-icon";
import { plainMessage } from "./config-form/plain-messages";
import { NODE_BODY_PADDING, NODE_HEADER_HEIGHT, NODE_WIDTH, PORT_ROW_HEIGHT } from "./node-geometry";
import type { NodeStatus } from "./node-overlay";
import { PORT_COLORS } from "./port-colors";

/** What a canvas node carries: the saved node itself plus derived, never-saved overlays. */
export type BlockNodeData = {
  node: GraphNode;
  diagnostics: readonly Diagnostic[] | undefined;
  status: NodeStatus | undefined;
};
export type BlockFlowNode = Node<BlockNodeData, "block">;

/**
 * Config problems of a node, cached per config object: edits replace the object, while a
 * drag (60 position updates a second) keeps it, so dragging never re-parses a config.
 */
const configIssueCache = new WeakMap<object, Map<string, string[]>>();
export function configIssues(node: GraphNode): string[] {
  const holder = node.config !== null && typeof node.config === "object" ? node.config : null;
  const versionKey = `${node.type}@${node.version}`;
  const cached = holder ? configIssueCache.get(holder)?.get(versionKey) : undefined;
  if (cached) return cached;
  const block = blockRegistry.get(node.type);
  let issues: string[] = [];
  if (!block) issues = [`Unknown block type "${node.type}".`];
  else {
    const parsed = parseBlockConfig(block, node.version, node.config);
    if (!parsed.ok) issues = parsed.issues.map((i) => plainMessage(i.message, block.config, i.path));
  }
  if (holder) {
    const perType = configIssueCache.get(holder) ?? new Map<string, string[]>();
    perType.set(versionKey, issues);
    configIssueCache.set(holder, perType);
  }
  return issues;
}

function PortRow({ port, side, nodeId }: { port: PortSpec; side: "in" | "out"; nodeId: string }) {
  const color = PORT_COLORS[port.type];
  const typeName = DATA_TYPE_LABELS[port.type];
  const tip = `${port.label} · ${typeName}${port.required ? " · required" : ""}${port.multiple ? " · takes many" : ""}`;
  return (
    <div style={{ height: PORT_ROW_HEIGHT }} className={`group/port relative flex items-center text-xs text-slate-600 ${side === "in" ? "pl-3" : "justify-end pr-3"}`}>
      <Handle
        type={side === "in" ? "target" : "source"}
        position={side === "in" ? Position.Left : Position.Right}
        id={port.id}
        title={tip}
        aria-label={`${side === "in" ? "Input" : "Output"} ${port.label} (${typeName})`}
        data-testid={`port-${nodeId}-${side}-${port.id}`}
        data-port-type={port.type}
        className="skyloom-port !h-3 !w-3 !border-2 !border-white"
        style={{ background: color }}
      />
      <span className="truncate">
        {port.label}
        {port.required && side === "in" ? <span className="text-red-500" aria-hidden> *</span> : null}
      </span>
      {/* Shown on hover only; hidden (display: none) it costs nothing to paint in a large flow. */}
      <span className={`pointer-events-none absolute inset-y-0 z-10 hidden items-center group-hover/port:flex ${side === "in" ? "right-full mr-2" : "left-full ml-2"}`} aria-hidden>
        <span className="whitespace-nowrap rounded px-1.5 py-0.5 text-[10px] font-medium text-white shadow" style={{ background: color }}>
          {typeName}
        </span>
      </span>
    </div>
  );
}

/** A note's text on the canvas, cut to a few lines (the config panel shows all of it). */
function NoteText({ config }: { config: unknown }) {
  const text = config !== null && typeof config === "object" && typeof (config as { text?: unknown }).text === "string" ? (config as { text: string }).text : "";
  return (
    <p className="line-clamp-6 whitespace-pre-line px-3 text-xs leading-snug text-amber-900" data-testid="note-text">
      {text || "Empty note"}
    </p>
  );
}

const STATUS_RING: Record<NodeStatus["state"], string> = {
  running: "ring-2 ring-sky-400 animate-pulse",
  done: "ring-2 ring-emerald-400",
  error: "ring-2 ring-red-500",
  skipped: "opacity-60",
  stopped: "ring-2 ring-slate-300",
};

/**
 * A block on the canvas: icon and name, its ports (colour = data type, name on hover), and
 * its problems in plain words. Everything shown is derived from the saved node.
 */
export const BlockNode = memo(function BlockNode({ id, data, selected }: NodeProps<BlockFlowNode>) {
  const { node, diagnostics, status } = data;
  const block = blockRegistry.get(node.type);
  // Ports depend on the block and its config, never on the position: dragging does not recompute them.
  const { type, version, config } = node;
  const ports = useMemo(
    () => blockRegistry.resolvePorts({ id, type, version, config, ui: { x: 0, y: 0 } }) ?? { inputs: [], outputs: [] },
    [id, type, version, config],
  );
  const portKey = `${ports.inputs.map((p) => p.id).join(",")}|${ports.outputs.map((p) => p.id).join(",")}`;
  const updateNodeInternals = useUpdateNodeInternals();
  // Ports that change with the config (a prompt's variables) move the handles; React Flow
  // measured them on mount already, so only later changes need a re-measure.
  const mountedPorts = useRef(portKey);
  useEffect(() => {
    if (mountedPorts.current === portKey) return;
    mountedPorts.current = portKey;
    updateNodeInternals(id);
  }, [id, portKey, updateNodeInternals]);

  const issues = configIssues(node);
  const messages = [...issues, ...(diagnostics ?? []).filter((d) => d.code !== "E201").map((d) => d.message)];
  const hasError = messages.length > 0 || diagnostics?.some((d) => d.severity === "error");
  const title = block?.title ?? node.type;

  return (
    <div
      style={{ width: NODE_WIDTH }}
      className={`rounded-lg border bg-white shadow-sm transition-shadow ${
        hasError ? "border-red-500 ring-1 ring-red-400" : selected ? "border-brand-500 ring-2 ring-brand-200" : "border-slate-300"
      } ${status ? STATUS_RING[status.state] : ""}`}
      data-testid="block-node"
      data-node-type={node.type}
      data-invalid={hasError ? "true" : undefined}
      data-run-state={status?.state}
    >
      <div style={{ height: NODE_HEADER_HEIGHT }} className="flex items-center gap-2 rounded-t-lg bg-slate-50 px-3 shadow-[inset_0_-1px_0_#f1f5f9]">
        <BlockIcon name={block?.icon ?? "box"} size={16} className="shrink-0 text-brand-600" />
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-medium text-slate-900">{node.ui.label || title}</div>
          {node.ui.label ? <div className="truncate text-[11px] text-slate-500">{title}</div> : null}
        </div>
        {status?.state === "running" && <Loader2 size={14} className="animate-spin text-sky-500" aria-label="running" />}
        {status?.state === "done" && <CheckCircle2 size={14} className="text-emerald-500" aria-label="done" />}
        {status?.state === "error" && !hasError && <AlertCircle size={14} className="text-red-500" aria-label="failed" />}
        {hasError && <AlertCircle size={14} className="text-red-500" aria-label="has problems" />}
      </div>
      <div style={{ paddingTop: NODE_BODY_PADDING, paddingBottom: NODE_BODY_PADDING }}>
        {ports.inputs.map((p) => (
          <PortRow key={`in-${p.id}`} port={p} side="in" nodeId={id} />
        ))}
        {ports.outputs.map((p) => (
          <PortRow key={`out-${p.id}`} port={p} side="out" nodeId={id} />
        ))}
        {blockRegistry.get(node.type)?.part === "note" ? (
          <NoteText config={node.config} />
        ) : (
          ports.inputs.length + ports.outputs.length === 0 && <div style={{ height: PORT_ROW_HEIGHT }} className="flex items-center px-3 text-xs text-slate-400">No ports</div>
        )}
      </div>
      {(messages.length > 0 || status?.message) && (
        <div className="space-y-0.5 border-t border-slate-100 px-3 py-1.5" data-testid="node-problems">
          {messages.slice(0, 3).map((m, i) => (
            <p key={i} className="text-[11px] leading-snug text-red-600">
              {m}
            </p>
          ))}
          {messages.length > 3 && <p className="text-[11px] text-red-600">and {messages.length - 3} more…</p>}
          {status?.message && (
            <p className={`text-[11px] leading-snug ${status.state === "error" ? "text-red-600" : "text-slate-600"}`} data-testid="node-run-message" data-state={status.state}>
              {status.message}
            </p>
          )}
        </div>
      )}
    </div>
  );
});

export const NODE_TYPES = { block: BlockNode };
