import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  SelectionMode,
  type Connection,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type FinalConnectionState,
  type NodeChange,
  type ReactFlowInstance,
  useConnection,
  useStore,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore, type DragEvent } from "react";
import type { Diagnostic } from "#agents/graph/diagnostics";
import { moveNodes, type Position } from "#app/lib/graph-store/edits";
import { NODE_TYPES, type BlockFlowNode } from "./block-node";
import { checkConnection } from "./editor-commands";
import { useEditor } from "./editor-context";
import { useFlowElements } from "./flow-view";
import { useNodeStatuses } from "./node-overlay";
import { BLOCK_DRAG_TYPE } from "./palette";
import { useEditorUi, useGraphState } from "./use-editor-state";

// Props React Flow copies into its store whenever they change identity: kept constant.
const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1, minZoom: 0.25 };
const PRO_OPTIONS = { hideAttribution: true };
const DEFAULT_EDGE_OPTIONS = { interactionWidth: 16 };
const MULTI_SELECT_KEYS = ["Shift", "Meta", "Control"];

/** Below this canvas width the minimap would cover most of the blocks, so it is not drawn. */
const MINIMAP_MIN_CANVAS_WIDTH = 560;

const NO_EDGES: ReadonlySet<string> = new Set();
const NO_DIAGNOSTICS: ReadonlyMap<string, Diagnostic[]> = new Map();
const NO_SELECTION = { nodes: new Set<string>(), edges: new Set<string>() };

/**
 * The React Flow canvas, controlled by the GraphDoc store: React Flow reports changes, the
 * store applies them as edits, and the nodes are derived again. A dragged wire is checked
 * with canConnect() (the compiler's rule) and a refusal says why, next to the pointer.
 */
export function FlowCanvas({ measured }: { measured: Map<string, { width: number; height: number }> }) {
  const { store, overlay, diagnostics, reactFlow, commands, ui, canEdit } = useEditor();
  const state = useGraphState();
  const editorUi = useEditorUi();
  const statuses = useNodeStatuses(overlay);
  const diagnosticList = useSyncExternalStore(diagnostics.subscribe, diagnostics.get, diagnostics.get);
  const [measuredVersion, setMeasuredVersion] = useState(0);

  const [startsWithNodes] = useState(() => state.graph.nodes.length > 0);
  const preview = editorUi.preview;
  const editable = canEdit && preview === null;
  const graph = preview ? preview.graph : state.graph;
  const selection = preview ? NO_SELECTION : state.selection;

  const diagnosticsByNode = useMemo(() => {
    if (!editorUi.showDiagnostics || preview) return NO_DIAGNOSTICS;
    const map = new Map<string, Diagnostic[]>();
    for (const d of diagnosticList) {
      if (!d.node) continue;
      const list = map.get(d.node);
      if (list) list.push(d);
      else map.set(d.node, [d]);
    }
    return map;
  }, [diagnosticList, editorUi.showDiagnostics, preview]);

  const invalidEdges = useMemo(() => {
    if (!editorUi.showDiagnostics || preview) return NO_EDGES;
    const ids = new Set<string>();
    for (const d of diagnosticList) if (d.edge && d.severity === "error") ids.add(d.edge);
    return ids.size > 0 ? ids : NO_EDGES;
  }, [diagnosticList, editorUi.showDiagnostics, preview]);

  const { nodes, edges } = useFlowElements(graph, selection, diagnosticsByNode, invalidEdges, statuses, measured, measuredVersion, editable);

  const onNodesChange = useCallback(
    (changes: NodeChange<BlockFlowNode>[]) => {
      const moves = new Map<string, Position>();
      const select: [string, boolean][] = [];
      let resized = false;
      for (const c of changes) {
        if (c.type === "position" && c.position) moves.set(c.id, c.position);
        else if (c.type === "dimensions" && c.dimensions) {
          const prev = measured.get(c.id);
          if (!prev || prev.width !== c.dimensions.width || prev.height !== c.dimensions.height) {
            measured.set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
            resized = true;
          }
        } else if (c.type === "select") select.push([c.id, c.selected]);
      }
      if (moves.size > 0 && editable) store.apply(moveNodes(moves));
      if (select.length > 0 && !preview) store.updateSelection({ nodes: select });
      if (resized) setMeasuredVersion((v) => v + 1);
    },
    [editable, measured, preview, store],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<Edge>[]) => {
      const select: [string, boolean][] = [];
      for (const c of changes) if (c.type === "select") select.push([c.id, c.selected]);
      if (select.length > 0 && !preview) store.updateSelection({ edges: select });
    },
    [preview, store],
  );

  const isValidConnection: IsValidConnection = useCallback(
    (c) => {
      if (!c.sourceHandle || !c.targetHandle) return false;
      const check = checkConnection(store, { node: c.source, port: c.sourceHandle }, { node: c.target, port: c.targetHandle });
      // Called while the wire hovers a port: remember why it is refused, for the hint.
      ui.set((s) => ({ ...s, connectionHint: check.ok ? null : check.diagnostic.message }));
      return check.ok;
    },
    [store, ui],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.sourceHandle || !c.targetHandle) return;
      commands.connect({ node: c.source, port: c.sourceHandle }, { node: c.target, port: c.targetHandle });
    },
    [commands],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(BLOCK_DRAG_TYPE);
      if (!type || !reactFlow.current) return;
      event.preventDefault();
      const dropAt = reactFlow.current.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      commands.addBlock(type, { dropAt });
    },
    [commands, reactFlow],
  );

  const previewing = preview !== null;
  const handlers = useMemo(
    () => ({
      onConnectStart: () => ui.set((s) => ({ ...s, connectionHint: null })),
      onConnectEnd: (_event: MouseEvent | TouchEvent, connectionState: FinalConnectionState) => {
        const reason = ui.get().connectionHint;
        if (!connectionState.isValid && reason && connectionState.toHandle) commands.notify(reason, "error");
        ui.set((s) => ({ ...s, connectionHint: null }));
      },
      beginGesture: () => store.beginGesture(),
      endGesture: () => store.endGesture(),
      onInit: (instance: ReactFlowInstance<BlockFlowNode, Edge>) => {
        reactFlow.current = instance as unknown as typeof reactFlow.current;
      },
      onDragOver: (e: DragEvent) => {
        if (e.dataTransfer.types.includes(BLOCK_DRAG_TYPE)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = "copy";
        }
      },
      onPaneClick: () => {
        if (!previewing) store.select([]);
      },
    }),
    [commands, previewing, reactFlow, store, ui],
  );

  return (
    <div className="relative h-full w-full" data-testid="flow-canvas">
      <ReactFlow<BlockFlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onConnectStart={handlers.onConnectStart}
        onConnectEnd={handlers.onConnectEnd}
        onNodeDragStart={handlers.beginGesture}
        onNodeDragStop={handlers.endGesture}
        onSelectionDragStart={handlers.beginGesture}
        onSelectionDragStop={handlers.endGesture}
        onInit={handlers.onInit}
        onDrop={onDrop}
        onDragOver={handlers.onDragOver}
        onPaneClick={handlers.onPaneClick}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        selectionMode={SelectionMode.Partial}
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        nodesDraggable={editable}
        nodesConnectable={editable}
        elementsSelectable={!preview}
        onlyRenderVisibleElements
        // Fit a saved flow on open; an empty flow keeps the default view, so blocks land where dropped.
        fitView={startsWithNodes}
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.05}
        maxZoom={2.5}
        proOptions={PRO_OPTIONS}
        connectionRadius={24}
        defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
        aria-label="Flow canvas"
      >
        <Background gap={16} size={1} />
        <CanvasMiniMap />
        <Controls showInteractive={false} aria-label="Zoom controls" />
        <ConnectionHint reason={editorUi.connectionHint} />
      </ReactFlow>
      {graph.nodes.length === 0 && !preview && (
        <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
          <p className="max-w-sm rounded-lg bg-white/80 p-4 text-center text-sm text-slate-600 shadow-sm">
            Drag a block here from the list on the left, or double-click one, to start your flow.
          </p>
        </div>
      )}
    </div>
  );
}

/** The minimap, on a canvas wide enough to have room for it beside the blocks. */
function CanvasMiniMap() {
  const wide = useStore((s) => s.width >= MINIMAP_MIN_CANVAS_WIDTH);
  return wide ? <MiniMap pannable zoomable ariaLabel="Minimap" className="!bg-white" nodeStrokeWidth={2} /> : null;
}

/** While a wire hovers a port that refuses it, says why, next to the pointer. */
function ConnectionHint({ reason }: { reason: string | null }) {
  const connection = useConnection();
  const [at, setAt] = useState<{ x: number; y: number } | null>(null);
  useEffect(() => {
    if (!connection.inProgress) return;
    const onMove = (e: PointerEvent) => setAt({ x: e.clientX, y: e.clientY });
    window.addEventListener("pointermove", onMove);
    return () => window.removeEventListener("pointermove", onMove);
  }, [connection.inProgress]);
  if (!connection.inProgress || !connection.toHandle || connection.isValid || !reason || !at) return null;
  return (
    <div
      role="status"
      data-testid="connection-hint"
      className="pointer-events-none fixed z-50 max-w-xs rounded-md bg-red-600 px-2 py-1 text-xs font-medium text-white shadow-lg"
      style={{ left: at.x + 14, top: at.y + 14 }}
    >
      {reason}
    </div>
  );
}
