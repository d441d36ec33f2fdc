import { ReactFlowProvider, useNodesInitialized } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { Diagnostic } from "#agents/graph/diagnostics";
import { useQuery } from "@tanstack/react-query";
import { validateGraph, type ValidateOptions } from "#agents/compile/validate";
import type { GraphDoc } from "#agents/graph/index";
import { GraphStore } from "#app/lib/graph-store/store";
import { useTRPC } from "#app/lib/trpc";
import { useAutosave } from "./autosave";
import { createEditorCommands } from "./editor-commands";
import { EditorContext, useEditor, type EditorContextValue, type EditorUi, type ReactFlowRef } from "./editor-context";
import { ConflictDialog, NoticeBar, PreviewBanner, ShortcutsDialog } from "./editor-dialogs";
import { EDITOR_PANELS } from "./editor-panels";
import { EditorSidebar } from "./editor-sidebar";
import { FlowCanvas } from "./flow-canvas";
import { estimateBlockSize } from "./node-geometry";
import { createNodeOverlayStore } from "./node-overlay";
import { Palette } from "./palette";
import { useEditorShortcuts } from "./shortcuts";
import { EditorToolbar } from "./toolbar";
import { createValueStore } from "./value-store";

export type EditorFlow = { id: string; name: string; graph: GraphDoc; revision: number; canEdit: boolean };

/**
 * The flow editor: palette, canvas and a sidebar of panels around one GraphDoc store.
 * Everything the user does goes through the store (so it can be undone) and is autosaved.
 */
export function FlowEditor({ flow, toolbarExtra }: { flow: EditorFlow; /** More toolbar buttons (the route's: "Save as template"), inside the editor's context. */ toolbarExtra?: ReactNode }) {
  const [store] = useState(() => new GraphStore(flow.graph));
  const [overlay] = useState(createNodeOverlayStore);
  const [ui] = useState(() =>
    createValueStore<EditorUi>({
      activePanel: EDITOR_PANELS[0]?.id ?? "config",
      preview: null,
      connectionHint: null,
      notice: null,
      showDiagnostics: false,
      shortcutsOpen: false,
    }),
  );
  const [diagnostics] = useState(() => createValueStore<Diagnostic[]>([]));
  const [measured] = useState(() => new Map<string, { width: number; height: number }>());
  const reactFlow: ReactFlowRef = useRef(null);
  const autosave = useAutosave(flow.id, store, flow.revision, flow.canEdit);
  // The canvas renders in the browser only: it needs the window's size to know which nodes
  // are visible, and hydrating hundreds of server-rendered nodes would cost more than drawing.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  // Validation marks a block whose knowledge base is not the team's, once the team's are known.
  const trpc = useTRPC();
  const knowledgeBases = useQuery(trpc.knowledge.list.queryOptions());
  const validationContext = useRef<ValidateOptions>({});
  useEffect(() => {
    if (!knowledgeBases.data) return;
    validationContext.current = { knowledgeBaseIds: new Set(knowledgeBases.data.map((b) => b.id)) };
    if (ui.get().showDiagnostics) diagnostics.set(validateGraph(store.graph, validationContext.current));
  }, [knowledgeBases.data, diagnostics, store, ui]);

  const commands = useMemo(
    () =>
      createEditorCommands({
        store,
        ui,
        diagnostics,
        reactFlow,
        flowName: flow.name,
        editable: () => flow.canEdit && ui.get().preview === null,
        sizeOf: (node) => {
          const size = reactFlow.current?.getInternalNode(node.id)?.measured;
          if (size?.width && size.height) return { width: size.width, height: size.height };
          return measured.get(node.id) ?? estimateBlockSize(node);
        },
        validationContext: () => validationContext.current,
      }),
    [diagnostics, flow.canEdit, flow.name, measured, store, ui],
  );

  // Once validation is on, it follows every edit (debounced), so fixed problems disappear.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = store.graph;
    const unsubscribe = store.subscribe(() => {
      if (store.graph === last || !ui.get().showDiagnostics) return;
      last = store.graph;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => diagnostics.set(validateGraph(store.graph, validationContext.current)), 150);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [diagnostics, store, ui]);

  const flushSave = useCallback(() => void autosave.flush().catch(() => undefined), [autosave]);
  const clearSelection = useCallback(() => store.select([]), [store]);
  useEditorShortcuts(commands, ui, flushSave, clearSelection);

  const value: EditorContextValue = useMemo(
    () => ({ flowId: flow.id, flowName: flow.name, canEdit: flow.canEdit, store, overlay, ui, diagnostics, autosave, commands, reactFlow }),
    [autosave, commands, diagnostics, flow.canEdit, flow.id, flow.name, overlay, store, ui],
  );

  return (
    <EditorContext.Provider value={value}>
      <ReactFlowProvider>
        <div className="flex min-h-0 flex-1 flex-col" data-testid="flow-editor">
          <EditorToolbar extra={toolbarExtra} />
          <div className="flex min-h-0 flex-1">
            <Palette />
            <main className="relative min-w-0 flex-1" aria-label="Canvas">
              {hydrated ? (
                <FlowCanvas measured={measured} />
              ) : (
                <div className="flex h-full items-center justify-center text-sm text-slate-500">Opening the canvas…</div>
              )}
              <PreviewBanner />
              <NoticeBar />
              <ReadyMark />
            </main>
            <EditorSidebar />
          </div>
        </div>
        <ShortcutsDialog />
        <ConflictDialog />
      </ReactFlowProvider>
    </EditorContext.Provider>
  );
}

/**
 * Marks the moment every node has been measured (the canvas is interactive) with a
 * performance mark, which the canvas benchmark reads.
 */
function ReadyMark() {
  const initialized = useNodesInitialized();
  const { store } = useEditor();
  const marked = useRef(false);
  useEffect(() => {
    if ((initialized || store.graph.nodes.length === 0) && !marked.current) {
      marked.current = true;
      // Two frames: the visible nodes are painted and React Flow has measured them.
      requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("skyloom:canvas-ready")));
    }
  }, [initialized, store]);
  return null;
}
