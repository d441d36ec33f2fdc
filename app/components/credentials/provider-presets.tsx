import { PROVIDER_PRESETS, presetForUrl, type ProviderPreset, type ProviderPresetId } from "#agents/catalog/providers";

/** The preset a base URL stands for in the credential form: an empty URL means OpenAI. */
export function presetChoice(baseUrl: string, customChosen: boolean): ProviderPresetId {
  if (customChosen && baseUrl.trim() === "") return "custom";
  return presetForUrl(baseUrl)?.id ?? "openai";
}

/**
 * One click per provider: picking OpenAI, Groq, Ollama … fills the base URL below it. The
 * Skyloom endpoints preset is shown, disabled, with why: deployed endpoints do not exist yet.
 */
export function ProviderPresetPicker({ chosen, onPick }: { chosen: ProviderPresetId; onPick(preset: ProviderPreset): void }) {
  const current = PROVIDER_PRESETS.find((p) => p.id === chosen);
  const unavailable = PROVIDER_PRESETS.filter((p) => !p.available);
  return (
    <fieldset>
      <legend className="block text-sm font-medium text-slate-700">Provider</legend>
      <div className="mt-1 grid grid-cols-2 gap-1.5">
        {PROVIDER_PRESETS.map((p) => (
          <label
            key={p.id}
            className={`flex items-center gap-2 rounded-md border px-2.5 py-1.5 text-sm ${
              !p.available
                ? "cursor-not-allowed border-dashed border-slate-200 text-slate-400"
                : p.id === chosen
                  ? "cursor-pointer border-brand-500 bg-brand-50 text-brand-800"
                  : "cursor-pointer border-slate-300 hover:bg-slate-50"
            }`}
          >
            <input type="radio" name="provider-preset" value={p.id} checked={p.id === chosen} disabled={!p.available} onChange={() => onPick(p)} />
            <span className="leading-tight">{p.title}</span>
          </label>
        ))}
      </div>
      {current && <p className="mt-1 text-xs text-slate-500">{current.note}</p>}
      {unavailable.map((p) => (
        <p key={p.id} className="mt-1 text-xs text-slate-400" data-testid={`preset-note-${p.id}`}>
          {p.title.replace(/ \(.*\)$/, "")}: {p.note}
        </p>
      ))}
    </fieldset>
  );
}
