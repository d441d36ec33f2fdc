import { AlertTriangle, CheckCircle2, ListChecks } from "lucide-react";
import { useSyncExternalStore } from "react";
import { blockRegistry } from "#agents/blocks/index";
import { DiagnosticButton } from "#app/components/diagnostic-button";
import { Button } from "#app/components/ui/button";
import { useEditor } from "../editor-context";
import type { EditorPanel } from "../editor-panels";
import { useEditorUi, useSettledGraphState } from "../use-editor-state";

/** The compiler's diagnostics as a list; clicking one focuses the node it names. */
function ProblemsPanelBody() {
  const { diagnostics, commands } = useEditor();
  const list = useSyncExternalStore(diagnostics.subscribe, diagnostics.get, diagnostics.get);
  const ui = useEditorUi();
  const { graph } = useSettledGraphState();
  const names = new Map(graph.nodes.map((n) => [n.id, n.ui.label || blockRegistry.get(n.type)?.title || n.type]));

  return (
    <div className="space-y-3" data-testid="problems-panel">
      <div className="flex items-center justify-between gap-2">
        <p className="text-xs text-slate-600">The same checks run before a flow is published or deployed.</p>
        <Button variant="secondary" className="!py-1 text-xs" onClick={() => commands.validate()}>
          <ListChecks size={14} /> Validate
        </Button>
      </div>
      {!ui.showDiagnostics ? (
        <p className="text-sm text-slate-500">Press Validate to check the whole flow.</p>
      ) : list.length === 0 ? (
        <p className="flex items-center gap-2 text-sm text-emerald-700" data-testid="no-problems">
          <CheckCircle2 size={16} /> No problems found.
        </p>
      ) : (
        <ul className="space-y-1.5" aria-label="Problems">
          {list.map((d, i) => (
            <li key={`${d.code}-${d.node ?? ""}-${d.edge ?? ""}-${i}`}>
              <DiagnosticButton diagnostic={d} nodeName={d.node ? names.get(d.node) : undefined} onFocusNode={(id) => commands.focusNode(id)} testId="problem-item" />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export const problemsPanel: EditorPanel = {
  id: "problems",
  title: "Problems",
  icon: AlertTriangle,
  render: () => <ProblemsPanelBody />,
};
