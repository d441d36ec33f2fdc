import * as RadixDialog from "@radix-ui/react-dialog";
import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, Columns3, RefreshCw, Rocket, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { blockRegistry } from "#agents/blocks/index";
import type { GraphDoc } from "#agents/graph/index";
import { DiagnosticButton } from "#app/components/diagnostic-button";
import { Button } from "#app/components/ui/button";
import { FormError } from "#app/components/ui/field";
import { HelpTip } from "#app/components/ui/hint";
import { describeApiError, useTRPC, type RouterOutputs } from "#app/lib/trpc";
import type { EditorPanel } from "../canvas/editor-panels";
import { DeploymentsSection } from "./deployments-section";
import { downloadZip, ManifestViewer } from "./manifest-viewer";
import { QuoteCard } from "./quote-card";

type Preview = RouterOutputs["compile"]["preview"];
type TargetPreview = Preview["targets"][number];

export type DeployPanelProps = {
  flowId: string;
  /** A saved version to compile instead of the flow's current graph. */
  versionId?: string;
  /** The saved revision; a change recompiles, so the manifests follow the canvas. */
  revision?: number;
  /** Called when a diagnostic naming a node is clicked. */
  onFocusNode?: (nodeId: string) => void;
  /** Names to show for node ids (the canvas labels). */
  nodeNames?: ReadonlyMap<string, string>;
  /** Runs before a manual recompile, e.g. saving pending edits so the preview matches the canvas. */
  beforeRecompile?: () => Promise<unknown>;
  /** Editors deploy and stop; viewers follow. */
  canDeploy?: boolean;
};

/**
 * The Deploy panel: what the flow's workloads compile to for each target (Spheron ICL, Akash
 * SDL, Kubernetes), what it costs, and what blocks it; then the live offers, Deploy, and the
 * flow's deployments followed live on the compute marketplace.
 */
export function DeployPanel({ flowId, versionId, revision, onFocusNode, nodeNames, beforeRecompile, canDeploy = true }: DeployPanelProps) {
  const trpc = useTRPC();
  const query = useQuery(trpc.compile.preview.queryOptions({ flowId, ...(versionId ? { versionId } : {}) }));
  const { refetch } = query;
  const [activeTarget, setActiveTarget] = useState<string>("spheron-icl");
  const [sideBySide, setSideBySide] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  async function recompile() {
    try {
      await beforeRecompile?.();
      setSaveError(null);
    } catch (error) {
      // A failed save (a conflict) is shown; the preview then compiles what is stored.
      setSaveError(`Could not save the latest edits first: ${describeApiError(error).message}`);
    }
    await refetch();
  }

  // Recompile after each save (not on mount: the query has just fetched).
  const lastRevision = useRef(revision);
  useEffect(() => {
    if (revision === lastRevision.current) return;
    lastRevision.current = revision;
    void refetch();
  }, [revision, refetch]);

  if (query.isPending) return <p className="text-sm text-slate-500">Compiling…</p>;
  if (query.isError) return <FormError message={describeApiError(query.error).message} />;
  const preview = query.data;
  const errors = preview.diagnostics.filter((d) => d.severity === "error");
  const target = preview.targets.find((t) => t.id === activeTarget) ?? preview.targets[0];

  return (
    <div className="space-y-3" data-testid="deploy-panel">
      <div className="flex items-start justify-between gap-2">
        {preview.ok ? (
          <p className="flex items-center gap-1.5 text-sm font-medium text-emerald-700" data-testid="deploy-status" data-status="ready">
            <Rocket size={15} /> Ready to deploy
            <HelpTip tip="The workloads compile without problems. Deploying sends these manifests to the compute marketplace, where nodes bid to run them; the cheapest bid under your maximum wins the lease." />
          </p>
        ) : (
          <p className="flex items-center gap-1.5 text-sm font-medium text-red-700" data-testid="deploy-status" data-status="blocked">
            <AlertTriangle size={15} />
            {errors.length > 0 ? `${errors.length} problem${errors.length === 1 ? "" : "s"} to fix before deploying` : "Nothing to deploy yet"}
          </p>
        )}
        <Button variant="secondary" className="!px-2 !py-1 text-xs" onClick={() => void recompile()} busy={query.isFetching} aria-label="Recompile">
          <RefreshCw size={13} /> Recompile
        </Button>
      </div>
      <FormError message={saveError} />
      <p className="text-xs text-slate-600">
        {preview.version ? `Version ${preview.version.number} (${preview.version.message})` : `Revision ${preview.flow.revision}`} of{" "}
        {preview.flow.name}. Deploy sends these exact manifests to the compute marketplace.
      </p>

      {preview.diagnostics.length > 0 && (
        <ul className="space-y-1" aria-label="Deployment problems">
          {preview.diagnostics.map((d, i) => (
            <li key={`${d.code}-${d.node ?? ""}-${d.edge ?? ""}-${i}`}>
              <DiagnosticButton diagnostic={d} nodeName={d.node ? nodeNames?.get(d.node) : undefined} onFocusNode={onFocusNode} testId="deploy-diagnostic" />
            </li>
          ))}
        </ul>
      )}

      {preview.quote && <QuoteCard quote={preview.quote} />}

      {preview.ok && !versionId && <DeploymentsSection flowId={flowId} revision={revision} canDeploy={canDeploy} beforeDeploy={beforeRecompile} />}

      {preview.bindings.length > 0 && (
        <section className="rounded-md border border-slate-200 p-3 text-xs text-slate-700" aria-label="Endpoint wiring">
          <h3 className="mb-1 text-sm font-semibold text-slate-800">Agents on deployed models</h3>
          <ul className="space-y-0.5">
            {preview.bindings.map((b) => (
              <li key={`${b.agentNode}-${b.agentPort}`}>
                <code>{nodeNames?.get(b.agentNode) ?? b.agentNode}</code> answers with <code>{b.workload}</code> ({b.servedName} on {b.runtime})
              </li>
            ))}
          </ul>
        </section>
      )}

      {preview.ok && target && (
        <section aria-label="Manifests" className="space-y-2">
          <div className="flex items-center justify-between gap-2">
            <div role="tablist" aria-label="Targets" className="flex gap-0.5">
              {preview.targets.map((t) => (
                <button
                  key={t.id}
                  type="button"
                  role="tab"
                  aria-selected={t.id === target.id}
                  data-testid={`deploy-target-${t.id}`}
                  onClick={() => setActiveTarget(t.id)}
                  className={`rounded-md px-2 py-1 text-xs font-medium ${t.id === target.id ? "bg-brand-50 text-brand-700 ring-1 ring-brand-200" : "text-slate-600 hover:bg-slate-100"}`}
                >
                  {t.title}
                </button>
              ))}
            </div>
            <Button variant="ghost" className="!px-2 !py-1 text-xs" onClick={() => setSideBySide(true)}>
              <Columns3 size={13} /> Side by side
            </Button>
          </div>
          <TargetFiles target={target} height="22rem" />
          <Button
            variant="secondary"
            className="w-full !py-1 text-xs"
            onClick={() => {
              const files = preview.targets.flatMap((t) => t.files);
              if (preview.quote) files.push({ fileName: "quote.json", content: `${JSON.stringify(preview.quote, null, 2)}\n` });
              downloadZip("skyloom-manifests.zip", files);
            }}
          >
            Download all manifests and the quote (.zip)
          </Button>
        </section>
      )}

      {preview.ok && (
        <RadixDialog.Root open={sideBySide} onOpenChange={setSideBySide}>
          <RadixDialog.Portal>
            <RadixDialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
            <RadixDialog.Content className="fixed inset-4 z-50 flex flex-col rounded-lg bg-white p-4 shadow-xl focus:outline-none">
              <div className="flex items-center justify-between">
                <RadixDialog.Title className="text-lg font-semibold">Manifests side by side</RadixDialog.Title>
                <RadixDialog.Close className="rounded p-1 text-slate-500 hover:bg-slate-100" aria-label="Close">
                  <X size={18} />
                </RadixDialog.Close>
              </div>
              <RadixDialog.Description className="text-sm text-slate-600">
                The same workloads for each target, compiled from {preview.flow.name}.
              </RadixDialog.Description>
              <div className="mt-3 grid min-h-0 flex-1 grid-cols-3 gap-3 overflow-auto" data-testid="deploy-side-by-side">
                {preview.targets.map((t) => (
                  <div key={t.id} className="min-w-0">
                    <h3 className="mb-1 text-sm font-semibold">{t.title}</h3>
                    <TargetFiles target={t} height="70vh" />
                  </div>
                ))}
              </div>
            </RadixDialog.Content>
          </RadixDialog.Portal>
        </RadixDialog.Root>
      )}

      {preview.ok && preview.diagnostics.length === 0 && (
        <p className="flex items-center gap-1.5 text-xs text-emerald-700">
          <CheckCircle2 size={13} /> Validated: no problems.
        </p>
      )}
    </div>
  );
}

/** A target's files: one viewer each (Spheron gets one ICL per lease). */
function TargetFiles({ target, height }: { target: TargetPreview; height: string }) {
  return (
    <div className="space-y-3">
      {target.files.map((f) => (
        <ManifestViewer key={f.fileName} file={f} height={height} />
      ))}
    </div>
  );
}

/** What the canvas shows for each node: its label, else its block's title. */
function nodeNamesOf(graph: GraphDoc): Map<string, string> {
  return new Map(graph.nodes.map((n) => [n.id, n.ui.label || blockRegistry.get(n.type)?.title || n.type]));
}

export const deployPanel: EditorPanel = {
  id: "deploy",
  title: "Deploy",
  icon: Rocket,
  render: (props) => (
    <DeployPanel
      flowId={props.flowId}
      revision={props.revision}
      onFocusNode={props.focusNode}
      nodeNames={nodeNamesOf(props.graph)}
      beforeRecompile={props.flushSave}
      canDeploy={props.canEdit}
    />
  ),
};
