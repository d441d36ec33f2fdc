import { blockRegistry } from "#agents/blocks/index";
import { validateGraph, type ValidateOptions } from "#agents/compile/validate";
import type { Diagnostic } from "#agents/graph/diagnostics";
import {
  canConnect,
  extractFragment,
  fragmentOrigin,
  remapIds,
  type GraphNode,
  type PortRef,
} from "#agents/graph/index";
import {
  addEdge,
  addNodes,
  createNode,
  moveNodes,
  newEdge,
  nodeIds,
  removeElements,
  replaceGraph,
} from "#app/lib/graph-store/edits";
import {
  exportFlowFile,
  flowFileName,
  readFlowFileForEditor,
  readFragmentForEditor,
  upgradeNotice,
} from "#app/lib/graph-store/flow-file";
import type { GraphStore } from "#app/lib/graph-store/store";
import type { NodeSize } from "./auto-layout";
import type { EditorUi, ReactFlowRef } from "./editor-context";
import { editorLayout } from "./editor-layout";
import { clampIntoView, findFreeSpot, type Point, type Rect } from "./placement";
import type { ValueStore } from "./value-store";

export type EditorCommands = ReturnType<typeof createEditorCommands>;

type Deps = {
  store: GraphStore;
  ui: ValueStore<EditorUi>;
  diagnostics: ValueStore<Diagnostic[]>;
  reactFlow: ReactFlowRef;
  flowName: string;
  /** Whether edits are allowed right now (role and not previewing a version). */
  editable(): boolean;
  /** A block's size on screen: React Flow's measurement, or the drawn size before it was measured. */
  sizeOf(node: GraphNode): NodeSize;
  /** What validation knows of the team (its knowledge bases, once loaded). */
  validationContext(): ValidateOptions;
};

/** Where a new block is pointed at: dropped at a point, or placed by the editor (and focused). */
export type AddBlockOptions = { dropAt?: Point; focus?: boolean };

/** Where the pointer holds a dropped block: centred horizontally, by its header. */
const DROP_GRIP = { y: 20 };

/**
 * Focuses a block on the canvas once React Flow has drawn it (a new block appears a frame or
 * two after the edit), so the keyboard acts on the canvas again.
 */
function focusNodeElement(nodeId: string, framesLeft = 30): void {
  if (typeof document === "undefined") return;
  const el = document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`);
  if (el) el.focus({ preventScroll: true });
  else if (framesLeft > 0) requestAnimationFrame(() => focusNodeElement(nodeId, framesLeft - 1));
}

/** The same rule the compiler uses; the canvas asks it while the user drags a wire. */
export function checkConnection(store: GraphStore, from: PortRef, to: PortRef) {
  return canConnect(store.graph, { from, to }, { resolvePorts: blockRegistry.resolvePorts });
}

/**
 * Every editor action as a plain function over the store, shared by the toolbar, keyboard
 * shortcuts, the palette, context menus and the panels, so each action behaves the same
 * whichever way the user reaches it.
 */
export function createEditorCommands(deps: Deps) {
  const { store, ui, reactFlow } = deps;
  let pasteCount = 0;

  const notify = (text: string, tone: "error" | "info" = "info", details?: string[]) =>
    ui.set((s) => ({ ...s, notice: { tone, text, ...(details ? { details } : {}) } }));

  /** Where the user is looking, in flow coordinates (for blocks added without a drop point). */
  const viewCenter = (): { x: number; y: number } => {
    const rf = reactFlow.current;
    const pane = typeof document !== "undefined" ? document.querySelector(".react-flow") : null;
    if (!rf || !pane) return { x: 0, y: 0 };
    const r = pane.getBoundingClientRect();
    return rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
  };

  /**
   * The part of the flow on screen, in flow coordinates, and the canvas's own overlays (the
   * minimap, the zoom buttons) that would hide a block placed under them.
   */
  const visibleArea = (): { viewport: Rect; overlays: Rect[] } | null => {
    const rf = reactFlow.current;
    const pane = typeof document !== "undefined" ? document.querySelector<HTMLElement>(".react-flow") : null;
    if (!rf || !pane) return null;
    const toFlow = (r: DOMRect): Rect => {
      const a = rf.screenToFlowPosition({ x: r.left, y: r.top }, { snapToGrid: false });
      const b = rf.screenToFlowPosition({ x: r.right, y: r.bottom }, { snapToGrid: false });
      return { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
    };
    const overlays = [...pane.querySelectorAll(".react-flow__minimap, .react-flow__controls")].map((el) => toFlow(el.getBoundingClientRect()));
    return { viewport: toFlow(pane.getBoundingClientRect()), overlays };
  };

  const rectOf = (node: GraphNode): Rect => ({ x: node.ui.x, y: node.ui.y, ...deps.sizeOf(node) });

  /** A dropped block stays wholly in view; a placed one goes to free space near the selection. */
  const positionForNewBlock = (node: GraphNode, options: AddBlockOptions): Point => {
    const size = deps.sizeOf(node);
    const area = visibleArea();
    if (options.dropAt) {
      const grabbed = { x: options.dropAt.x - size.width / 2, y: options.dropAt.y - DROP_GRIP.y, ...size };
      return area ? clampIntoView(grabbed, area.viewport) : grabbed;
    }
    const viewport = area?.viewport ?? { ...viewCenter(), width: 0, height: 0 };
    const selected = store.getState().selection.nodes;
    const spot = findFreeSpot({
      size,
      occupied: [...store.graph.nodes.map(rectOf), ...(area?.overlays ?? [])],
      viewport,
      selection: store.graph.nodes.filter((n) => selected.has(n.id)).map(rectOf),
    });
    const outOfView = spot.x < viewport.x || spot.y < viewport.y || spot.x + size.width > viewport.x + viewport.width || spot.y + size.height > viewport.y + viewport.height;
    const rf = reactFlow.current;
    if (outOfView && rf) void rf.setCenter(spot.x + size.width / 2, spot.y + size.height / 2, { zoom: rf.getZoom(), duration: 200 });
    return spot;
  };

  const guard = (): boolean => {
    if (deps.editable()) return true;
    notify(ui.get().preview ? "You are previewing a version; go back to editing first." : "You can view this flow but not edit it.", "error");
    return false;
  };

  const commands = {
    notify,

    /** Shows a panel of the sidebar, unfolding the sidebar if the user had folded it. */
    openPanel(panelId: string): void {
      ui.set((s) => ({ ...s, activePanel: panelId }));
      editorLayout.set({ panelCollapsed: false });
    },

    viewCenter,
    /** Adds a block where it was dropped (kept in view), or in free space next to the selection. */
    addBlock(type: string, options: AddBlockOptions = {}): string | null {
      if (!guard()) return null;
      const created = createNode(type, { x: 0, y: 0 }, nodeIds(store.graph));
      const at = positionForNewBlock(created, options);
      const node = { ...created, ui: { ...created.ui, x: Math.round(at.x), y: Math.round(at.y) } };
      store.apply(addNodes([node]), { select: { nodes: [node.id] } });
      if (options.focus) focusNodeElement(node.id);
      return node.id;
    },

    connect(from: PortRef, to: PortRef): boolean {
      if (!guard()) return false;
      const check = checkConnection(store, from, to);
      if (!check.ok) {
        notify(check.diagnostic.message, "error");
        return false;
      }
      const edge = newEdge(from, to, store.graph);
      store.apply(addEdge(edge));
      return true;
    },

    deleteSelection(): void {
      if (!guard()) return;
      const { nodes, edges } = store.getState().selection;
      store.apply(removeElements(nodes, edges), { select: {} });
    },

    deleteNode(nodeId: string): void {
      if (!guard()) return;
      store.apply(removeElements([nodeId]), { select: {} });
    },

    deleteEdge(edgeId: string): void {
      if (!guard()) return;
      store.apply(removeElements([], [edgeId]));
    },

    /** The selection as GraphDoc JSON for the clipboard, or null when nothing is selected. */
    copySelection(): string | null {
      const selected = store.getState().selection.nodes;
      if (selected.size === 0) return null;
      pasteCount = 0;
      return JSON.stringify(extractFragment(store.graph, selected));
    },

    /** Pastes GraphDoc JSON (from this or another flow or tab) with fresh ids. */
    pasteText(text: string): boolean {
      if (!guard()) return false;
      const parsed = readFragmentForEditor(text);
      if (!parsed.ok) {
        notify(parsed.message, "error");
        return false;
      }
      if (parsed.fragment.nodes.length === 0) return false;
      pasteCount += 1;
      // Pasted into the same place repeatedly, copies step down and right; into another view, they land in its centre.
      const origin = fragmentOrigin(parsed.fragment);
      const existing = nodeIds(store.graph);
      const sameFlow = parsed.fragment.nodes.some((n) => existing.has(n.id));
      const target = sameFlow ? { x: origin.x + 40 * pasteCount, y: origin.y + 40 * pasteCount } : viewCenter();
      const { nodes, edges } = remapIds(parsed.fragment, store.graph, { x: target.x - origin.x, y: target.y - origin.y });
      store.apply(addNodes(nodes, edges), { select: { nodes: nodes.map((n) => n.id), edges: edges.map((e) => e.id) } });
      return true;
    },

    duplicateSelection(): void {
      if (!guard()) return;
      const selected = store.getState().selection.nodes;
      if (selected.size === 0) return;
      const fragment = extractFragment(store.graph, selected);
      const { nodes, edges } = remapIds(fragment, store.graph, { x: 40, y: 40 });
      store.apply(addNodes(nodes, edges), { select: { nodes: nodes.map((n) => n.id), edges: edges.map((e) => e.id) } });
    },

    selectAll(): void {
      store.select(
        store.graph.nodes.map((n) => n.id),
        store.graph.edges.map((e) => e.id),
      );
    },

    undo(): void {
      if (deps.editable()) store.undo();
    },
    redo(): void {
      if (deps.editable()) store.redo();
    },

    async autoLayout(): Promise<void> {
      if (!guard() || store.graph.nodes.length === 0) return;
      const before = store.graph;
      // The layout engine (elkjs, ~1.5 MB) loads with the first "Tidy up"; the toolbar spins meanwhile.
      const { computeLayout } = await import("./auto-layout");
      const positions = await computeLayout(before, deps.sizeOf);
      // The layout ran asynchronously; if the user edited meanwhile, only nodes that still exist move.
      store.apply(moveNodes(positions));
      requestAnimationFrame(() => void reactFlow.current?.fitView({ padding: 0.15, duration: 300 }));
    },

    fitView(): void {
      void reactFlow.current?.fitView({ padding: 0.15, duration: 300 });
    },

    /** Selects a node, brings it into view and opens its configuration. */
    focusNode(nodeId: string): void {
      const node = store.graph.nodes.find((n) => n.id === nodeId);
      if (!node) return;
      store.select([nodeId]);
      commands.openPanel("config");
      const size = deps.sizeOf(node);
      const rf = reactFlow.current;
      if (rf) {
        const zoom = Math.max(rf.getZoom(), 0.9);
        void rf.setCenter(node.ui.x + size.width / 2, node.ui.y + size.height / 2, { zoom, duration: 300 });
      }
      requestAnimationFrame(() => focusNodeElement(nodeId));
    },

    validate(): Diagnostic[] {
      const list = validateGraph(store.graph, deps.validationContext());
      deps.diagnostics.set(list);
      ui.set((s) => ({ ...s, showDiagnostics: true }));
      commands.openPanel("problems");
      return list;
    },

    exportFlow(): void {
      const { text, redacted } = exportFlowFile({ name: deps.flowName, graph: store.graph });
      if (redacted.length > 0) {
        notify(
          `Exported without ${redacted.length === 1 ? "one value that looks like a secret" : `${redacted.length} values that look like secrets`}: choose saved credentials for them so they stay out of files.`,
          "info",
          redacted.map((r) => {
            const node = store.graph.nodes.find((n) => n.id === r.node);
            return `${r.name} in ${node?.ui.label || (node && blockRegistry.get(node.type)?.title) || r.node}`;
          }),
        );
      }
      const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = flowFileName(deps.flowName);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1_000);
    },

    /** Replaces the canvas with a flow file's graph (one undo step); a bad file changes nothing. */
    importFlowText(text: string): boolean {
      if (!guard()) return false;
      const parsed = readFlowFileForEditor(text);
      if (!parsed.ok) {
        notify(parsed.message, "error", parsed.details);
        return false;
      }
      store.apply(replaceGraph(parsed.file.graph), { select: {} });
      notify(
        `Imported “${parsed.file.name}”: ${parsed.file.graph.nodes.length} blocks.${upgradeNotice(parsed)} Undo (Ctrl+Z) brings back what was here.`,
      );
      requestAnimationFrame(() => void reactFlow.current?.fitView({ padding: 0.15 }));
      return true;
    },
  };
  return commands;
}
