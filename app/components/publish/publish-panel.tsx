import { Link } from "@remix-run/react";
import { ExternalLink, KeyRound, Rocket, Square } from "lucide-react";
import { useCallback, useEffect, useId, useState } from "react";
import { Button } from "#app/components/ui/button";
import { FormError } from "#app/components/ui/field";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { CopyBlock } from "./copy-block";
import { curlSnippet, javascriptSnippet, pythonSnippet, widgetSnippet } from "./snippets";

type ForFlow = RouterOutputs["agent"]["forFlow"];
type Version = RouterOutputs["flow"]["versions"]["list"][number];
type ApiKey = RouterOutputs["apiKey"]["list"][number];

/** "" in the version picker: snapshot the flow as it is now and pin that. */
const CURRENT = "";
const LANGUAGES = ["curl", "Python", "JavaScript", "Widget"] as const;
type Language = (typeof LANGUAGES)[number];

export type PublishPanelProps = {
  flowId: string;
  canEdit: boolean;
  /** Saves pending edits first, so "the flow as it is now" is what gets published. */
  flushSave(): Promise<number>;
};

const inputClass = "block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm";

/**
 * The "Use it" panel: publish the flow as an OpenAI-compatible model (pin a version, choose
 * the slug), publish a newer version explicitly, unpublish, and copy-ready client code with
 * the base URL, the model name and a key.
 */
export function PublishPanel({ flowId, canEdit, flushSave }: PublishPanelProps) {
  const client = useTRPCClient();
  const slugId = useId();
  const versionId = useId();
  const keyId = useId();
  const [state, setState] = useState<ForFlow | null>(null);
  const [versions, setVersions] = useState<Version[]>([]);
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [slug, setSlug] = useState("");
  const [pick, setPick] = useState(CURRENT);
  const [keyChoice, setKeyChoice] = useState("");
  const [newToken, setNewToken] = useState<{ token: string; kind: "secret" | "public" } | null>(null);
  const [language, setLanguage] = useState<Language>("curl");
  const [origins, setOrigins] = useState<string | null>(null);
  const originsId = useId();

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
    await reload();
  });
  const createKey = useAction(async (kind: "secret" | "public") => {
    if (!publication) return;
    const allowedOrigins = kind === "public" ? (origins ?? "").split(/[\s,]+/).filter(Boolean) : undefined;
    const created = await client.apiKey.create.mutate({
      name: `${publication.slug} ${kind === "public" ? "widget" : "key"}`,
      kind,
      allowedAgents: [publication.id],
      ...(allowedOrigins ? { allowedOrigins } : {}),
    });
    setOrigins(null);
    setNewToken({ token: created.token, kind });
    setKeys((k) => [created.key, ...k]);
    setKeyChoice(created.key.id);
    if (kind === "public") setLanguage("Widget");
  });

  const error = load.error ?? publish.error ?? rename.error ?? unpublish.error ?? createKey.error;
  if (!state) return <div className="text-sm text-slate-500">{error ? <FormError message={error.message} /> : "Loading…"}</div>;

  const live = publication?.status === "active";
  const chosenKey = keys.find((k) => k.id === keyChoice);
  const usableKeys = publication ? keys.filter((k) => !k.allowedAgents || k.allowedAgents.includes(publication.id)) : [];
  const shownToken = newToken && chosenKey && newToken.token.startsWith(chosenKey.prefix) ? newToken.token : null;
  const snippetInput = { baseUrl: state.baseUrl, model: publication?.slug ?? "", key: shownToken };
  const snippet =
    language === "curl" ? curlSnippet(snippetInput) : language === "Python" ? pythonSnippet(snippetInput) : language === "JavaScript" ? javascriptSnippet(snippetInput) : widgetSnippet(snippetInput);

  return (
    <div className="space-y-4 text-sm" data-testid="publish-panel">
      <FormError message={error?.message} />
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
            Serving version {publication.versionNumber} — {publication.versionMessage}
          </p>
        ) : (
          <p className="text-xs text-slate-600">Publish this flow to call it from any OpenAI client, SDK or the chat widget.</p>
        )}

        <label htmlFor={slugId} className="block text-xs font-medium text-slate-700">
          Model name (slug)
        </label>
        <div className="flex gap-1.5">
          <input
            id={slugId}
            className={inputClass}
            value={slug}
            placeholder="from the flow name"
            maxLength={64}
            disabled={!canEdit}
            onChange={(e) => setSlug(e.target.value.toLowerCase())}
          />
          {publication && canEdit && slug.trim() !== publication.slug && (
            <Button variant="secondary" className="!py-1 text-xs" busy={rename.busy} onClick={() => void rename.run()}>
              Rename
            </Button>
          )}
        </div>

        {canEdit && (
          <>
            <label htmlFor={versionId} className="block text-xs font-medium text-slate-700">
              {publication ? "Publish a version" : "Version to publish"}
            </label>
            <select id={versionId} className={inputClass} value={pick} onChange={(e) => setPick(e.target.value)}>
              <option value={CURRENT}>The flow as it is now (saved as a new version)</option>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  Version {v.number} — {v.message}
                  {publication?.flowVersionId === v.id ? " (serving)" : ""}
                </option>
              ))}
            </select>
            <div className="flex gap-1.5">
              <Button className="!py-1 text-xs" busy={publish.busy} onClick={() => void publish.run()}>
                <Rocket size={14} /> {publication ? (live ? "Publish this version" : "Publish again") : "Publish"}
              </Button>
              {live && (
                <Button variant="danger" className="!py-1 text-xs" busy={unpublish.busy} onClick={() => void unpublish.run()}>
                  <Square size={12} /> Unpublish
                </Button>
              )}
            </div>
          </>
        )}
      </section>

      {publication && (
        <section className="space-y-2 border-t border-slate-200 pt-3">
          <h3 className="font-semibold text-slate-800">Use it</h3>
          <dl className="grid grid-cols-[auto,1fr] gap-x-2 gap-y-1 text-xs">
            <dt className="text-slate-500">Base URL</dt>
            <dd className="break-all font-mono" data-testid="publish-base-url">
              {state.baseUrl}
            </dd>
            <dt className="text-slate-500">Model</dt>
            <dd className="font-mono" data-testid="publish-model">
              {publication.slug}
            </dd>
          </dl>
          <label htmlFor={keyId} className="block text-xs font-medium text-slate-700">
            API key
          </label>
          <select id={keyId} className={inputClass} value={keyChoice} onChange={(e) => setKeyChoice(e.target.value)}>
            <option value="">Any key (read from SKYLOOM_API_KEY)</option>
            {usableKeys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.prefix}…){k.kind === "public" ? " · public" : ""}
              </option>
            ))}
          </select>
          <div className="flex flex-wrap gap-1.5">
            <Button variant="secondary" className="!px-2 !py-0.5 text-xs" busy={createKey.busy} onClick={() => void createKey.run("secret")}>
              <KeyRound size={12} /> New key for this agent
            </Button>
            <Button variant="secondary" className="!px-2 !py-0.5 text-xs" onClick={() => setOrigins(origins === null ? "" : null)}>
              <KeyRound size={12} /> New widget key
            </Button>
          </div>
          {origins !== null && (
            <form
              className="space-y-1.5 rounded-md border border-slate-200 p-2"
              onSubmit={(e) => {
                e.preventDefault();
                void createKey.run("public");
              }}
            >
              <label htmlFor={originsId} className="block text-xs font-medium text-slate-700">
                Web sites that may embed the chat
              </label>
              <input id={originsId} className={inputClass} placeholder="https://example.com" value={origins} onChange={(e) => setOrigins(e.target.value)} />
              <Button type="submit" className="!py-0.5 text-xs" busy={createKey.busy} disabled={origins.trim() === ""}>
                Create widget key
              </Button>
            </form>
          )}
          {shownToken && (
            <p className="rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900" role="status" data-testid="new-key-notice">
              Copy this key now: it is shown only once and is already in the code below.
            </p>
          )}
          <div role="tablist" aria-label="Language" className="flex gap-1">
            {LANGUAGES.map((l) => (
              <button
                key={l}
                type="button"
                role="tab"
                aria-selected={language === l}
                onClick={() => setLanguage(l)}
                className={`rounded px-2 py-0.5 text-xs ${language === l ? "bg-slate-800 text-white" : "bg-slate-100 text-slate-700 hover:bg-slate-200"}`}
              >
                {l}
              </button>
            ))}
          </div>
          <CopyBlock label={`${language} snippet`} text={snippet} testId="publish-snippet" />
          {language === "Widget" && (
            <p className="text-xs text-slate-500">The widget needs a public key for this agent whose allowed origins include the page&apos;s site.</p>
          )}
          <Link to={`/agents/${publication.slug}`} className="inline-flex items-center gap-1 text-xs text-brand-600 underline">
            Run history and usage <ExternalLink size={12} />
          </Link>
        </section>
      )}
    </div>
  );
}
