import { Link } from "@remix-run/react";
import { KeyRound } from "lucide-react";
import { useId, useState } from "react";
import { CopyBlock } from "#app/components/publish/copy-block";
import { KEY_ENV, nextKeyName } from "#app/components/publish/snippets";
import { LanguageTabs } from "#app/components/publish/language-tabs";
import { Button } from "#app/components/ui/button";
import { FormError } from "#app/components/ui/field";
import { ENDPOINT_SNIPPET_LANGUAGES, endpointSnippet, type EndpointSnippetLanguage } from "#app/lib/marketplace/endpoint-snippets";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";

/**
 * How programs call an endpoint: the base URL and model name to copy, and curl / Python /
 * JavaScript code. Stored keys are never shown again, so the code reads the key from an
 * environment variable unless the person creates a new key here (shown once, then in the code).
 */
export function UseEndpoint({ url, slug, task, canCreateKey }: { url: string; slug: string; task: string; canCreateKey: boolean }) {
  const client = useTRPCClient();
  const panelId = useId();
  const [language, setLanguage] = useState<EndpointSnippetLanguage>("curl");
  const [newKey, setNewKey] = useState<string | null>(null);
  const createKey = useAction(async () => {
    const existing = await client.apiKey.list.query();
    const created = await client.apiKey.create.mutate({
      name: nextKeyName(`${slug} key`, existing.map((k) => k.name)),
      kind: "secret",
      allowedAgents: null,
    });
    setNewKey(created.token);
  });
  const snippet = endpointSnippet(language, { baseUrl: url, slug, task, key: newKey });

  return (
    <section className="space-y-2" aria-labelledby={`${panelId}-title`}>
      <h2 id={`${panelId}-title`} className="text-lg font-semibold">
        Use it from code
      </h2>
      <div className="grid gap-2 sm:grid-cols-2">
        <div>
          <p className="text-xs font-medium text-slate-600">Base URL</p>
          <CopyBlock label="base URL" text={url} testId="endpoint-url" wrap />
        </div>
        <div>
          <p className="text-xs font-medium text-slate-600">Model name</p>
          <CopyBlock label="model name" text={slug} testId="endpoint-slug" wrap />
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
        {canCreateKey && (
          <Button variant="secondary" className="!px-2 !py-0.5 text-xs" busy={createKey.busy} onClick={() => void createKey.run()}>
            <KeyRound size={12} /> New key for the code
          </Button>
        )}
        <Link to="/settings/api-keys" className="text-brand-600 underline">
          Manage API keys
        </Link>
      </div>
      <FormError message={createKey.error?.message} />
      {newKey && (
        <div className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900" role="status" data-testid="endpoint-new-key">
          <p>Copy this key now: it is shown only once. It is also in the code below.</p>
          <CopyBlock label="new API key" text={newKey} wrap />
        </div>
      )}
      <LanguageTabs<EndpointSnippetLanguage> languages={ENDPOINT_SNIPPET_LANGUAGES} language={language} onChange={setLanguage} panelId={panelId} />
      <div id={panelId} role="tabpanel" aria-labelledby={`${panelId}-${language}`} className="space-y-1">
        <CopyBlock label={`${language} snippet`} text={snippet} testId="endpoint-snippet" />
        {!newKey && (
          <p className="text-xs text-slate-500">
            The code reads the key from the {KEY_ENV} environment variable: <code className="rounded bg-slate-100 px-1">export {KEY_ENV}=sky_sk_…</code>
          </p>
        )}
      </div>
    </section>
  );
}
