import { blockRegistry } from "#agents/blocks/index";
import { validateGraph } from "#agents/compile/validate";
import type { Diagnostic } from "#agents/compile/diagnostics";
import { canConnect, type PortRef } from "#agents/graph/index";
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
import { exportFlowFile, flowFileName, parseFlowFile } from "#app/lib/graph-store/flow-file";
import { extractFragment, fragmentOrigin, parseFragment, remapFragment, serializeFragment } from "#app/lib/graph-store/fragment";
import type { GraphStore } from "#app/lib/graph-store/store";
import type { NodeSize } from "./auto-layout";
import type { EditorUi, ReactFlowRef } from "./editor-context";
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
  sizeOf(nodeId: string): NodeSize | undefined;
};

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

  const guard = (): boolean => {
    if (deps.editable()) return true;
    notify(ui.get().preview ? "You are previewing a version; go back to editing first." : "You can view this flow but not edit it.", "error");
    return false;
  };

  const commands = {
    notify,
    viewCenter,
    addBlock(type: string, at?: { x: number; y: number }): string | null {
      if (!guard()) return null;
      let position = at;
      if (!position) {
        // Blocks added from the keyboard fan out so they do not stack exactly on top of each other.
        const c = viewCenter();
        const k = store.graph.nodes.length % 6;
        position = { x: c.x - 120 + k * 24, y: c.y - 50 + k * 24 };
      }
      const node = createNode(type, position, nodeIds(store.graph));
      store.apply(addNodes([node]), { select: { nodes: [node.id] } });
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
      return serializeFragment(extractFragment(store.graph, selected));
    },

    /** Pastes GraphDoc JSON (from this or another flow or tab) with fresh ids. */
    pasteText(text: string): boolean {
      if (!guard()) return false;
      const parsed = parseFragment(text);
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
      const { nodes, edges } = remapFragment(parsed.fragment, store.graph, { x: target.x - origin.x, y: target.y - origin.y });
      store.apply(addNodes(nodes, edges), { select: { nodes: nodes.map((n) => n.id), edges: edges.map((e) => e.id) } });
      return true;
    },

    duplicateSelection(): void {
      if (!guard()) return;
      const selected = store.getState().selection.nodes;
      if (selected.size === 0) return;
      const fragment = extractFragment(store.graph, selected);
      const { nodes, edges } = remapFragment(fragment, store.graph, { x: 40, y: 40 });
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
      ui.set((s) => ({ ...s, activePanel: "config" }));
      const size = deps.sizeOf(nodeId) ?? { width: 240, height: 120 };
      const rf = reactFlow.current;
      if (rf) {
        const zoom = Math.max(rf.getZoom(), 0.9);
        void rf.setCenter(node.ui.x + size.width / 2, node.ui.y + size.height / 2, { zoom, duration: 300 });
      }
      requestAnimationFrame(() => {
        const el = document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`);
        el?.focus({ preventScroll: true });
      });
    },

    validate(): Diagnostic[] {
      const list = validateGraph(store.graph);
      deps.diagnostics.set(list);
      ui.set((s) => ({ ...s, showDiagnostics: true, activePanel: "problems" }));
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
      const parsed = parseFlowFile(text);
      if (!parsed.ok) {
        notify(parsed.message, "error", parsed.details);
        return false;
      }
      store.apply(replaceGraph(parsed.file.graph), { select: {} });
      notify(`Imported “${parsed.file.name}”: ${parsed.file.graph.nodes.length} blocks. Undo (Ctrl+Z) brings back what was here.`);
      requestAnimationFrame(() => void reactFlow.current?.fitView({ padding: 0.15 }));
      return true;
    },
  };
  return commands;
}
