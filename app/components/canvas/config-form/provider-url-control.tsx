import { useId, useState } from "react";
import { PROVIDER_PRESETS, presetForUrl, type ProviderPresetId } from "#agents/catalog/providers";
import { FieldShell, inputClass, type FieldProps } from "./field-shell";

const FROM_CREDENTIAL = "";
const FROM_CREDENTIAL_NOTE =
  "Uses the credential's base URL; a credential without one means OpenAI. With no credential either, Skyloom's default model answers.";

/**
 * A base URL chosen by provider: OpenAI, OpenRouter, Groq … fill the URL in one click; "Another
 * OpenAI-compatible URL" shows the text box; empty means "whatever the credential says". The
 * stored value is always the URL itself, so a preset never hides what will be called.
 */
export function ProviderUrlControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const url = typeof value === "string" ? value : "";
  const matched = presetForUrl(url);
  // "custom" with an empty URL is a choice the stored value cannot hold yet: kept locally.
  const [customChosen, setCustomChosen] = useState(false);
  const choice: ProviderPresetId | "" = matched?.id ?? (customChosen ? "custom" : FROM_CREDENTIAL);
  const preset = PROVIDER_PRESETS.find((p) => p.id === choice);

  return (
    <FieldShell field={{ ...field, description: undefined }} error={error} id={id}>
      <select
        id={id}
        data-testid={`field-${field.key}-provider`}
        aria-describedby={`${id}-note`}
        className={inputClass()}
        value={choice}
        disabled={disabled}
        onChange={(e) => {
          const next = PROVIDER_PRESETS.find((p) => p.id === e.target.value);
          setCustomChosen(next?.id === "custom");
          onChange(next && next.id !== "custom" ? next.baseUrl : "");
        }}
      >
        <option value={FROM_CREDENTIAL}>From the credential (or Skyloom&apos;s default)</option>
        {PROVIDER_PRESETS.map((p) => (
          <option key={p.id} value={p.id} disabled={!p.available} title={p.available ? undefined : p.note}>
            {p.title}
          </option>
        ))}
      </select>
      {choice === "custom" && (
        <input
          aria-label={field.title}
          aria-invalid={error ? true : undefined}
          data-testid={`field-${field.key}`}
          className={`${inputClass(error)} mt-1.5 font-mono text-xs`}
          placeholder="https://my-server.example/v1"
          value={url}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {choice !== "custom" && choice !== FROM_CREDENTIAL && (
        <p className="mt-1 break-all font-mono text-[11px] text-slate-500" data-testid={`field-${field.key}-url`}>
          {url}
        </p>
      )}
      {!error && (
        <p id={`${id}-note`} className="mt-1 text-xs text-slate-500">
          {preset ? preset.note : FROM_CREDENTIAL_NOTE}
        </p>
      )}
    </FieldShell>
  );
}
