import { PanelRightClose, PanelRightOpen } from "lucide-react";
import { useMemo, useRef, type KeyboardEvent } from "react";
import { useEditor } from "./editor-context";
import { editorLayout, useEditorLayout } from "./editor-layout";
import { EDITOR_PANELS, type EditorPanelProps } from "./editor-panels";
import { useEditorUi, useSettledGraphState } from "./use-editor-state";

const FOLD_BUTTON = "inline-flex h-8 w-8 shrink-0 items-center justify-center rounded-md text-slate-500 hover:bg-slate-100 hover:text-slate-800";

/**
 * The editor's right-hand column of panels (EDITOR_PANELS), one tab each. The tabs always fit
 * on one row (icon over a small label that shortens if it must; the full name is the tab's
 * tooltip and accessible name), move with the arrow keys, and the whole column folds to a
 * strip of icons to give a small screen's width to the canvas.
 */
export function EditorSidebar() {
  const editor = useEditor();
  const { activePanel, preview } = useEditorUi();
  const { panelCollapsed } = useEditorLayout();
  const { graph, selection } = useSettledGraphState();
  const active = EDITOR_PANELS.find((p) => p.id === activePanel) ?? EDITOR_PANELS[0];
  const selectedNodeIds = useMemo(() => [...selection.nodes], [selection.nodes]);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);

  const openPanel = (id: string) => editor.commands.openPanel(id);

  if (panelCollapsed) {
    return (
      <aside className="flex w-10 shrink-0 flex-col items-center gap-1 border-l border-slate-200 bg-white py-1" aria-label="Panels" data-testid="panels-collapsed">
        <button type="button" className={FOLD_BUTTON} aria-label="Show panels" aria-expanded={false} title="Show panels" data-testid="panels-toggle" onClick={() => editorLayout.set({ panelCollapsed: false })}>
          <PanelRightOpen size={16} aria-hidden />
        </button>
        {EDITOR_PANELS.map((p) => {
          const Icon = p.icon;
          return (
            <button key={p.id} type="button" className={FOLD_BUTTON} aria-label={`Open ${p.title}`} title={p.title} onClick={() => openPanel(p.id)}>
              <Icon size={16} aria-hidden />
            </button>
          );
        })}
      </aside>
    );
  }

  const props: EditorPanelProps = {
    flowId: editor.flowId,
    flowName: editor.flowName,
    graph,
    revision: editor.autosave.state.revision,
    canEdit: editor.canEdit && preview === null,
    selectedNodeIds,
    focusNode: editor.commands.focusNode,
    setNodeStatus: editor.overlay.set,
    clearNodeStatuses: editor.overlay.clear,
    flushSave: editor.autosave.flush,
    openPanel,
  };

  // The ARIA tabs pattern: one tab stop for the list, arrow keys move between tabs.
  const onTabKey = (event: KeyboardEvent, index: number) => {
    const last = EDITOR_PANELS.length - 1;
    const target = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const panel = EDITOR_PANELS[target];
    if (!panel) return;
    openPanel(panel.id);
    tabs.current[target]?.focus();
  };

  return (
    <aside className="flex w-80 shrink-0 flex-col border-l border-slate-200 bg-white xl:w-96" aria-label="Panels">
      <div className="flex shrink-0 items-end border-b border-slate-200 pl-1 pt-1">
        <div role="tablist" aria-label="Panels" className="flex min-w-0 flex-1" data-testid="panel-tabs">
          {EDITOR_PANELS.map((p, index) => {
            const Icon = p.icon;
            const selected = p.id === active?.id;
            return (
              <button
                key={p.id}
                ref={(el) => {
                  tabs.current[index] = el;
                }}
                role="tab"
                type="button"
                id={`panel-tab-${p.id}`}
                aria-selected={selected}
                aria-controls={`panel-${p.id}`}
                tabIndex={selected ? 0 : -1}
                title={p.title}
                data-testid={`panel-tab-${p.id}`}
                onClick={() => openPanel(p.id)}
                onKeyDown={(e) => onTabKey(e, index)}
                className={`flex min-w-0 flex-auto flex-col items-center gap-0.5 rounded-t-md px-0.5 pb-1 pt-1.5 text-[10px] font-medium leading-tight xl:text-[11px] ${
                  selected ? "border-b-2 border-brand-600 text-brand-700" : "border-b-2 border-transparent text-slate-600 hover:bg-slate-50"
                }`}
              >
                <Icon size={15} aria-hidden className="shrink-0" />
                <span className="w-full truncate text-center">{p.title}</span>
              </button>
            );
          })}
        </div>
        <button
          type="button"
          className={`${FOLD_BUTTON} mb-1 ml-0.5`}
          aria-label="Hide panels"
          aria-expanded={true}
          title="Hide panels"
          data-testid="panels-toggle"
          onClick={() => editorLayout.set({ panelCollapsed: true })}
        >
          <PanelRightClose size={16} aria-hidden />
        </button>
      </div>
      {active && (
        <div role="tabpanel" id={`panel-${active.id}`} aria-labelledby={`panel-tab-${active.id}`} className="min-h-0 flex-1 overflow-y-auto p-3">
          {active.render(props)}
        </div>
      )}
    </aside>
  );
}
