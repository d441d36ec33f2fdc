import { PROVIDER_PRESETS, type ProviderPresetId } from "#agents/catalog/providers";
import { useId, useState } from "react";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { FormError, TextField } from "../ui/field";
import { presetChoice, ProviderPresetPicker } from "./provider-presets";

type CredentialView = RouterOutputs["credential"]["create"];
type Kind = CredentialView["kind"];

export const KIND_LABELS: Record<Kind, string> = { openai: "OpenAI-compatible API key", secret: "Secret" };
const presetTitles = new Set(PROVIDER_PRESETS.map((p) => p.title));

/**
 * Adding a credential: an OpenAI-compatible key (provider preset + base URL) or a generic
 * secret. Used by Settings → Credentials and inline wherever a flow needs one ("Use template").
 */
export function CredentialForm({
  onSaved,
  onCancel,
  provider,
  initialKind = "openai",
  autoFocus = true,
}: {
  onSaved(credential: CredentialView): void;
  onCancel(): void;
  /** Starts on this provider's preset (a template that needs an OpenAI key starts on OpenAI). */
  provider?: ProviderPresetId | undefined;
  initialKind?: Kind;
  autoFocus?: boolean;
}) {
  const client = useTRPCClient();
  const kindId = useId();
  const start = PROVIDER_PRESETS.find((p) => p.id === provider && p.available && p.id !== "openai");
  const [name, setName] = useState(start?.id === "custom" ? "" : (start?.title ?? ""));
  const [kind, setKind] = useState<Kind>(initialKind);
  const [secret, setSecret] = useState("");
  const [baseUrl, setBaseUrl] = useState(start?.baseUrl ?? "");
  // "Another OpenAI-compatible URL" with nothing typed yet: the URL alone cannot say so.
  const [customChosen, setCustomChosen] = useState(start?.id === "custom");
  const preset = presetChoice(baseUrl, customChosen);

  const create = useAction(async () => {
    const saved = await client.credential.create.mutate({ name, kind, secret, ...(kind === "openai" ? { baseUrl } : {}) });
    setSecret("");
    onSaved(saved);
  });

  return (
    <form
      className="space-y-4"
      aria-label="Add credential"
      onSubmit={(e) => {
        e.preventDefault();
        void create.run();
      }}
    >
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={create.error?.fields.name?.[0]} autoFocus={autoFocus} />
      <div>
        <label htmlFor={kindId} className="block text-sm font-medium text-slate-700">
          Kind
        </label>
        <select id={kindId} value={kind} onChange={(e) => setKind(e.target.value as Kind)} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm">
          <option value="openai">{KIND_LABELS.openai}</option>
          <option value="secret">{KIND_LABELS.secret}</option>
        </select>
      </div>
      <TextField
        label={kind === "openai" ? "API key" : "Secret"}
        type="password"
        autoComplete="off"
        value={secret}
        onChange={(e) => setSecret(e.target.value)}
        error={create.error?.fields.secret?.[0]}
      />
      {kind === "openai" && (
        <>
          <ProviderPresetPicker
            chosen={preset}
            onPick={(p) => {
              setCustomChosen(p.id === "custom");
              setBaseUrl(p.baseUrl);
              // A name nobody typed follows the provider.
              const auto = name.trim() === "" || presetTitles.has(name);
              if (auto && p.id !== "custom") setName(p.title);
            }}
          />
          <TextField
            label="Base URL"
            placeholder="https://api.openai.com/v1"
            hint="The provider's OpenAI-compatible address; the preset fills it in. Empty means OpenAI."
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
            error={create.error?.fields.baseUrl?.[0]}
          />
        </>
      )}
      <FormError message={create.error && Object.keys(create.error.fields).length === 0 ? create.error.message : null} />
      <div className="flex justify-end gap-2">
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" busy={create.busy}>
          Save credential
        </Button>
      </div>
    </form>
  );
}
