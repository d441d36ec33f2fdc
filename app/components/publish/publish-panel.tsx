import { Rocket, Square } from "lucide-react";
import { useCallback, useEffect, useId, useState } from "react";
import { Button } from "#app/components/ui/button";
import { ConfirmDialog } from "#app/components/ui/confirm-dialog";
import { FormError } from "#app/components/ui/field";
import { HelpTip } from "#app/components/ui/hint";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { splitFieldMessage } from "./field-message";
import { UseItSection } from "./use-it-section";

type ForFlow = RouterOutputs["agent"]["forFlow"];
type Version = RouterOutputs["flow"]["versions"]["list"][number];
type ApiKey = RouterOutputs["apiKey"]["list"][number];

/** "" in the version picker: snapshot the flow as it is now and pin that. */
const CURRENT = "";

export type PublishPanelProps = {
  flowId: string;
  canEdit: boolean;
  /** Saves pending edits first, so "the flow as it is now" is what gets published. */
  flushSave(): Promise<number>;
};

const inputClass = "block w-full rounded-md border px-2.5 py-1.5 text-sm shadow-sm";

/**
 * The "Use it" panel: publish the flow as an OpenAI-compatible model (pin a version, choose
 * the slug), publish a newer version explicitly, unpublish, and copy-ready client code with
 * the base URL, the model name and a key.
 */
export function PublishPanel({ flowId, canEdit, flushSave }: PublishPanelProps) {
  const client = useTRPCClient();
  const slugId = useId();
  const versionId = useId();
  const [state, setState] = useState<ForFlow | null>(null);
  const [versions, setVersions] = useState<Version[]>([]);
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [slug, setSlug] = useState("");
  const [pick, setPick] = useState(CURRENT);
  const [confirmingUnpublish, setConfirmingUnpublish] = useState(false);

  const load = useAction(
    useCallback(async () => {
      const [forFlow, versionList, keyList] = await Promise.all([
        client.agent.forFlow.query({ flowId }),
        client.flow.versions.list.query({ flowId }),
        client.apiKey.list.query(),
      ]);
      setState(forFlow.baseUrlIsDefault ? { ...forFlow, baseUrl: `${window.location.origin}/v1` } : forFlow);
      setVersions(versionList);
      setKeys(keyList.filter((k) => !k.revokedAt));
      setSlug(forFlow.publication?.slug ?? "");
    }, [client, flowId]),
  );
  const reload = load.run;
  useEffect(() => {
    void reload();
  }, [reload]);

  const publication = state?.publication ?? null;

  const publish = useAction(async () => {
    if (pick === CURRENT) await flushSave();
    await client.agent.publish.mutate({
      flowId,
      ...(pick !== CURRENT ? { versionId: pick } : {}),
      ...(slug.trim() && slug.trim() !== publication?.slug ? { slug: slug.trim() } : {}),
    });
    setPick(CURRENT);
    await reload();
  });
  const rename = useAction(async () => {
    if (!publication) return;
    await client.agent.rename.mutate({ id: publication.id, slug: slug.trim() });
    await reload();
  });
  const unpublish = useAction(async () => {
    if (!publication) return;
    await client.agent.unpublish.mutate({ id: publication.id });
    setConfirmingUnpublish(false);
    await reload();
  });

  // A message about the slug goes under the slug field; an unpublish error in its dialog; anything else at the top.
  const actionError = splitFieldMessage((publish.error ?? rename.error ?? load.error)?.message);
  const slugError = actionError?.field === "slug" ? actionError.text : null;
  const panelError = actionError && actionError.field !== "slug" ? actionError.text : null;
  if (!state) return <div className="text-sm text-slate-500">{panelError ? <FormError message={panelError} /> : "Loading…"}</div>;

  const live = publication?.status === "active";
  const slugChanged = publication !== null && slug.trim() !== publication.slug;

  return (
    <div className="space-y-4 text-sm" data-testid="publish-panel">
      <FormError message={panelError} />
      <section className="space-y-2">
        <div className="flex items-center justify-between">
          <h3 className="font-semibold text-slate-800">API endpoint</h3>
          {publication && (
            <span
              className={`rounded-full px-2 py-0.5 text-xs font-medium ${live ? "bg-green-100 text-green-800" : "bg-slate-200 text-slate-700"}`}
              data-testid="publish-status"
            >
              {live ? "Live" : "Unpublished"}
            </span>
          )}
        </div>
        {publication ? (
          <p className="text-xs text-slate-600" data-testid="pinned-version">
            {live ? "Serving" : "Not serving; last published"} version {publication.versionNumber} — {publication.versionMessage}
          </p>
        ) : (
          <p className="text-xs text-slate-600">Publish this flow to call it from any OpenAI client, SDK or the chat widget.</p>
        )}

        <form
          className="space-y-1"
          aria-label="Publishing name"
          onSubmit={(e) => {
            e.preventDefault();
            if (slugChanged && canEdit) void rename.run();
          }}
        >
          <div className="flex items-center gap-1">
            <label htmlFor={slugId} className="block text-xs font-medium text-slate-700">
              Name in the API
            </label>
            <HelpTip
              tip="Programs call this agent by this name: it goes in the “model” field of an OpenAI-style request, where you would otherwise write a model such as gpt-4o-mini."
            />
          </div>
          <div className="flex gap-1.5">
            <input
              id={slugId}
              className={`${inputClass} ${slugError ? "border-red-500" : "border-slate-300"}`}
              value={slug}
              placeholder="from the flow name"
              maxLength={64}
              disabled={!canEdit}
              aria-invalid={slugError ? true : undefined}
              aria-describedby={`${slugId}-note`}
              onChange={(e) => {
                setSlug(e.target.value.toLowerCase());
                // The message was about the name as it was; a new name gets checked afresh.
                rename.clearError();
                publish.clearError();
              }}
            />
            {canEdit && slugChanged && (
              <Button type="submit" variant="secondary" className="!py-1 text-xs" busy={rename.busy}>
                Rename
              </Button>
            )}
          </div>
          <p id={`${slugId}-note`} className={`text-xs ${slugError ? "text-red-600" : "text-slate-500"}`} role={slugError ? "alert" : undefined}>
            {slugError ?? (slugChanged ? "Clients that use the old name stop working once you rename." : "Lowercase letters, digits and dashes; unique in your team.")}
          </p>
        </form>

        {canEdit && (
          <>
            <label htmlFor={versionId} className="block text-xs font-medium text-slate-700">
              {publication ? "Publish a version" : "Version to publish"}
            </label>
            <select id={versionId} className={`${inputClass} border-slate-300`} value={pick} onChange={(e) => setPick(e.target.value)}>
              <option value={CURRENT}>The flow as it is now (new version)</option>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  Version {v.number} — {v.message}
                  {live && publication?.flowVersionId === v.id ? " (serving)" : ""}
                </option>
              ))}
            </select>
            <div className="flex flex-wrap gap-1.5">
              <Button className="!py-1 text-xs" busy={publish.busy} onClick={() => void publish.run()}>
                <Rocket size={14} /> {publication ? (live ? "Publish this version" : "Publish again") : "Publish"}
              </Button>
              {live && (
                <Button variant="danger" className="!py-1 text-xs" onClick={() => setConfirmingUnpublish(true)}>
                  <Square size={12} /> Unpublish
                </Button>
              )}
            </div>
          </>
        )}
      </section>

      {publication && (
        <UseItSection publication={publication} baseUrl={state.baseUrl} keys={keys} onKeyCreated={(key) => setKeys((k) => [key, ...k])} />
      )}

      {publication && (
        <ConfirmDialog
          open={confirmingUnpublish}
          title={`Unpublish “${publication.slug}”?`}
          description="Apps, scripts and web pages that call it get an error from the next request on. Its keys and run history stay, and you can publish again at any time."
          cancelLabel="Keep it live"
          confirmLabel="Unpublish"
          busy={unpublish.busy}
          error={unpublish.error?.message}
          onConfirm={() => void unpublish.run()}
          onCancel={() => {
            setConfirmingUnpublish(false);
            unpublish.clearError();
          }}
        />
      )}
    </div>
  );
}
