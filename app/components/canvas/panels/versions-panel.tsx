import { Eye, History, RotateCcw } from "lucide-react";
import { useCallback, useEffect, useId, useState } from "react";
import { Button } from "#app/components/ui/button";
import { fromWire } from "#app/lib/graph-store/edits";
import { FormError } from "#app/components/ui/field";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { useEditor } from "../editor-context";
import type { EditorPanel } from "../editor-panels";
import { useEditorUi } from "../use-editor-state";

type VersionRow = RouterOutputs["flow"]["versions"]["list"][number];

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

/**
 * Named snapshots of the flow: save one with a message, preview any read-only on the canvas,
 * restore one. Restoring first snapshots the current flow, so a restore is itself undone by
 * restoring that snapshot (and Ctrl+Z works too).
 */
function VersionsPanelBody() {
  const client = useTRPCClient();
  const { flowId, canEdit, store, ui, autosave } = useEditor();
  const editorUi = useEditorUi();
  const messageId = useId();
  const [message, setMessage] = useState("");
  const [versions, setVersions] = useState<VersionRow[] | null>(null);

  const load = useAction(
    useCallback(async () => {
      setVersions(await client.flow.versions.list.query({ flowId }));
    }, [client, flowId]),
  );
  const reload = load.run;
  useEffect(() => {
    void reload();
  }, [reload]);

  const save = useAction(async () => {
    await client.flow.versions.create.mutate({ flowId, message, graph: store.graph });
    setMessage("");
    await reload();
  });

  const preview = useAction(async (v: VersionRow) => {
    const version = await client.flow.versions.get.query({ flowId, versionId: v.id });
    ui.set((s) => ({ ...s, preview: { versionId: v.id, number: v.number, message: v.message, graph: fromWire(version.graph) } }));
  });

  const restore = useAction(async (v: VersionRow) => {
    await autosave.flush();
    await client.flow.versions.create.mutate({ flowId, message: `Before restoring version ${v.number}`, graph: store.graph });
    const flow = await client.flow.versions.restore.mutate({ flowId, versionId: v.id });
    autosave.adoptServerGraph(fromWire(flow.graph), flow.revision);
    ui.set((s) => ({ ...s, preview: null, notice: { tone: "info", text: `Restored version ${v.number}. What was here is saved as a version too.` } }));
    await reload();
  });

  const error = load.error ?? save.error ?? preview.error ?? restore.error;

  return (
    <div className="space-y-4" data-testid="versions-panel">
      {canEdit && (
        <form
          className="space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <label htmlFor={messageId} className="block text-xs font-medium text-slate-700">
            Describe this version
          </label>
          <input
            id={messageId}
            className="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm"
            placeholder="e.g. Friendlier greeting"
            value={message}
            maxLength={500}
            onChange={(e) => setMessage(e.target.value)}
          />
          <Button type="submit" className="!py-1 text-xs" busy={save.busy} disabled={message.trim() === ""}>
            <History size={14} /> Save version
          </Button>
        </form>
      )}
      <FormError message={error?.message} />
      {versions === null ? (
        <p className="text-sm text-slate-500">Loading versions…</p>
      ) : versions.length === 0 ? (
        <p className="text-sm text-slate-500">No versions yet. Save one to keep a copy you can go back to.</p>
      ) : (
        <ol className="space-y-2" aria-label="Versions">
          {versions.map((v) => {
            const previewing = editorUi.preview?.versionId === v.id;
            return (
              <li key={v.id} className={`rounded-md border p-2 text-xs ${previewing ? "border-brand-500 bg-brand-50" : "border-slate-200"}`} data-testid="version-item">
                <div className="flex items-baseline justify-between gap-2">
                  <span className="font-semibold text-slate-800">Version {v.number}</span>
                  <time className="text-slate-500" dateTime={new Date(v.createdAt).toISOString()}>
                    {when.format(new Date(v.createdAt))}
                  </time>
                </div>
                <p className="mt-0.5 text-slate-700">{v.message}</p>
                <p className="mt-0.5 text-slate-500">by {v.authorName ?? v.authorEmail ?? "someone no longer in the team"}</p>
                <div className="mt-1.5 flex gap-1.5">
                  <Button variant="secondary" className="!px-2 !py-0.5 text-xs" onClick={() => void preview.run(v)} busy={preview.busy && previewing}>
                    <Eye size={12} /> Preview
                  </Button>
                  {canEdit && (
                    <Button variant="secondary" className="!px-2 !py-0.5 text-xs" onClick={() => void restore.run(v)} busy={restore.busy}>
                      <RotateCcw size={12} /> Restore
                    </Button>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}

export const versionsPanel: EditorPanel = {
  id: "versions",
  title: "Versions",
  icon: History,
  render: () => <VersionsPanelBody />,
};
