import { Link } from "@remix-run/react";
import { ExternalLink, KeyRound } from "lucide-react";
import { useId, useState } from "react";
import { LanguageTabs } from "#app/components/publish/language-tabs";
import { Button } from "#app/components/ui/button";
import { FormError } from "#app/components/ui/field";
import { HelpTip, Term } from "#app/components/ui/hint";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { CopyBlock } from "./copy-block";
import { splitFieldMessage } from "./field-message";
import { KEY_ENV, keyForSnippet, nextKeyName, SNIPPET_LANGUAGES, snippetFor, type KeyKind, type SnippetLanguage } from "./snippets";

type ApiKey = RouterOutputs["apiKey"]["list"][number];
type Publication = NonNullable<RouterOutputs["agent"]["forFlow"]["publication"]>;

const inputClass = "block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm";

export type UseItSectionProps = {
  publication: Publication;
  baseUrl: string;
  /** The team's live keys; keys restricted to other agents are left out here. */
  keys: ApiKey[];
  onKeyCreated(key: ApiKey): void;
};

/**
 * How to call a published agent: base URL, model name, a key picker, new keys made for this
 * agent (shown once), and copy-ready code for curl, Python, JavaScript and the chat widget.
 */
export function UseItSection({ publication, baseUrl, keys, onKeyCreated }: UseItSectionProps) {
  const client = useTRPCClient();
  const keyId = useId();
  const originsId = useId();
  const [keyChoice, setKeyChoice] = useState("");
  const [newToken, setNewToken] = useState<{ keyId: string; token: string } | null>(null);
  const [language, setLanguage] = useState<SnippetLanguage>("curl");
  const [origins, setOrigins] = useState<string | null>(null);
  const [stream, setStream] = useState(false);

  const createKey = useAction(async (kind: KeyKind) => {
    const allowedOrigins = kind === "public" ? (origins ?? "").split(/[\s,]+/).filter(Boolean) : undefined;
    const created = await client.apiKey.create.mutate({
      // "orders key", "orders key 2" …: keys made here can be told apart in every list.
      name: nextKeyName(`${publication.slug} ${kind === "public" ? "widget" : "key"}`, keys.map((k) => k.name)),
      kind,
      allowedAgents: [publication.id],
      ...(allowedOrigins ? { allowedOrigins } : {}),
    });
    setOrigins(null);
    setNewToken({ keyId: created.key.id, token: created.token });
    onKeyCreated(created.key);
    setKeyChoice(created.key.id);
    // Show the new key in code where it works: a widget key in the widget, a secret key on a server.
    if (kind === "public") setLanguage("Widget");
    else if (language === "Widget") setLanguage("curl");
  });

  const usableKeys = keys.filter((k) => !k.allowedAgents || k.allowedAgents.includes(publication.id));
  const chosenKey = usableKeys.find((k) => k.id === keyChoice) ?? null;
  const shownToken = newToken && chosenKey && newToken.keyId === chosenKey.id ? newToken.token : null;
  const snippetKey = keyForSnippet(language, chosenKey ? { kind: chosenKey.kind, token: shownToken } : null);
  const snippet = snippetFor(language, { baseUrl, model: publication.slug, key: snippetKey.token, stream });
  const createError = splitFieldMessage(createKey.error?.message);
  const live = publication.status === "active";

  return (
    <section className="space-y-2 border-t border-slate-200 pt-3">
      <h3 className="font-semibold text-slate-800">Use it</h3>
      {!live && (
        <p className="rounded-md border border-slate-300 bg-slate-50 p-2 text-xs text-slate-700" data-testid="unpublished-notice">
          Unpublished: calls to “{publication.slug}” fail until you publish again.
        </p>
      )}
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
        <dt className="text-slate-500">
          <Term tip="The address to send requests to. In an OpenAI SDK it goes where the SDK asks for base_url (Python) or baseURL (JavaScript).">
            Base URL
          </Term>
        </dt>
        <dd className="break-all font-mono" data-testid="publish-base-url">
          {baseUrl}
        </dd>
        <dt className="text-slate-500">
          <Term tip="The name that goes in the request's “model” field; it picks this agent among your team's published agents.">Model</Term>
        </dt>
        <dd className="break-all font-mono" data-testid="publish-model">
          {publication.slug}
        </dd>
      </dl>
      <div className="flex items-center gap-1">
        <label htmlFor={keyId} className="block text-xs font-medium text-slate-700">
          API key
        </label>
        <HelpTip
          tip={`A secret that proves a program may call this agent. A key is shown only once, when it is created: pick a new one to put it in the code, or keep the key out of the code and set the ${KEY_ENV} environment variable instead.`}
        />
      </div>
      <select id={keyId} className={inputClass} value={keyChoice} onChange={(e) => setKeyChoice(e.target.value)}>
        <option value="">Keep the key out of the code (use the {KEY_ENV} environment variable)</option>
        {usableKeys.map((k) => (
          <option key={k.id} value={k.id}>
            {k.name} ({k.prefix}…){k.kind === "public" ? " · widget" : ""}
          </option>
        ))}
      </select>
      <div className="flex flex-wrap gap-1.5">
        <Button variant="secondary" className="!px-2 !py-0.5 text-xs" busy={createKey.busy && origins === null} onClick={() => void createKey.run("secret")}>
          <KeyRound size={12} /> New key for this agent
        </Button>
        <Button variant="secondary" className="!px-2 !py-0.5 text-xs" aria-expanded={origins !== null} onClick={() => setOrigins(origins === null ? "" : null)}>
          <KeyRound size={12} /> New widget key
        </Button>
      </div>
      {origins !== null ? (
        <form
          className="space-y-1.5 rounded-md border border-slate-200 p-2"
          aria-label="New widget key"
          onSubmit={(e) => {
            e.preventDefault();
            void createKey.run("public");
          }}
        >
          <label htmlFor={originsId} className="block text-xs font-medium text-slate-700">
            Web sites that may embed the chat
          </label>
          <input
            id={originsId}
            className={inputClass}
            placeholder="https://example.com"
            value={origins}
            aria-invalid={createError ? true : undefined}
            aria-describedby={createError ? `${originsId}-error` : `${originsId}-hint`}
            onChange={(e) => setOrigins(e.target.value)}
          />
          {createError ? (
            <p id={`${originsId}-error`} role="alert" className="text-xs text-red-600">
              {createError.text}
            </p>
          ) : (
            <p id={`${originsId}-hint`} className="text-xs text-slate-500">
              Each as scheme and host, e.g. https://shop.example.com; separate several with spaces or commas.
            </p>
          )}
          <Button type="submit" className="!py-0.5 text-xs" busy={createKey.busy} disabled={origins.trim() === ""}>
            Create widget key
          </Button>
        </form>
      ) : (
        <FormError message={createError?.text} />
      )}
      {shownToken && (
        <div className="space-y-1.5 rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900" role="status" data-testid="new-key-notice">
          <p>Copy this key now: it is shown only once. It is also in the code below.</p>
          <CopyBlock label="new API key" text={shownToken} testId="new-key-token" wrap />
        </div>
      )}
      <LanguageTabs<SnippetLanguage> languages={SNIPPET_LANGUAGES} language={language} onChange={setLanguage} panelId={`${keyId}-snippet`} />
      <div id={`${keyId}-snippet`} role="tabpanel" aria-labelledby={`${keyId}-snippet-${language}`} className="space-y-1.5">
        {snippetKey.warning && (
          <p className="rounded-md border border-red-200 bg-red-50 p-2 text-xs text-red-800" role="alert" data-testid="snippet-key-warning">
            {snippetKey.warning}
          </p>
        )}
        {language === "curl" && (
          <label className="flex items-center gap-1.5 text-xs text-slate-700">
            <input type="checkbox" checked={stream} onChange={(e) => setStream(e.target.checked)} data-testid="snippet-stream" />
            Stream the answer as it is written
          </label>
        )}
        <CopyBlock label={`${language} snippet`} text={snippet} testId="publish-snippet" />
        {language !== "Widget" && !snippetKey.token && (
          <p className="text-xs text-slate-500" data-testid="snippet-key-env">
            The code reads the key from the {KEY_ENV} environment variable. Set it to one of your keys first, e.g.{" "}
            <code className="rounded bg-slate-100 px-1">export {KEY_ENV}=sky_sk_…</code> (Settings → API keys), or create a key above to put it in the code.
          </p>
        )}
        {language === "curl" && stream && (
          <p className="text-xs text-slate-500">The answer arrives piece by piece as lines starting with “data:”, ending with “data: [DONE]”.</p>
        )}
        {language === "Widget" && (
          <p className="text-xs text-slate-500">Paste it before &lt;/body&gt;. The widget needs a widget (public) key for this agent that lists the page&apos;s site.</p>
        )}
      </div>
      <Link to={`/agents/${publication.slug}`} className="inline-flex items-center gap-1 text-xs text-brand-600 underline">
        Run history and usage <ExternalLink size={12} />
      </Link>
    </section>
  );
}
