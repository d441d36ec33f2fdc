import { KeyRound, Trash2 } from "lucide-react";
import { useId } from "react";
import { looksLikeSecretName } from "#agents/blocks/workload-config";
import { CredentialSelect } from "./credential-select";
import { AddEntryButton, FieldShell, inputClass, nextKey, type FieldProps } from "./field-shell";

type EnvEntry = [string, string | { credential: string }];

/**
 * Environment variables: each value is plain text or one of the team's saved credentials
 * (the key button switches). A credential stays out of shown and downloaded manifests; a
 * secret-looking name with a plain value gets a hint to switch.
 */
export function EnvControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const raw = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const entries = Object.entries(raw).map(([k, v]): EnvEntry => [k, isCredentialRef(v) ? v : String(v ?? "")]);
  const commit = (next: EnvEntry[]) => onChange(Object.fromEntries(next));
  const change = (i: number, entry: EnvEntry) => commit(entries.map((en, j) => (j === i ? entry : en)));
  return (
    <FieldShell field={field} error={error} id={id}>
      <div className="space-y-2" id={id} data-testid={`field-${field.key}`}>
        {entries.map(([k, v], i) => (
          <div key={i} className="space-y-1">
            <div className="flex gap-1.5">
              <input
                aria-label={`${field.title} name ${i + 1}`}
                className={`${inputClass()} font-mono text-xs`}
                value={k}
                disabled={disabled}
                onChange={(e) => change(i, [e.target.value, v])}
              />
              {typeof v === "string" ? (
                <input
                  aria-label={`${field.title} value ${i + 1}`}
                  className={inputClass()}
                  value={v}
                  disabled={disabled}
                  onChange={(e) => change(i, [k, e.target.value])}
                />
              ) : (
                <div className="min-w-0 flex-1">
                  <CredentialSelect
                    id={`${id}-cred-${i}`}
                    testId={`env-credential-${i + 1}`}
                    value={v.credential || null}
                    disabled={disabled}
                    invalid={!v.credential}
                    onChange={(cred) => change(i, [k, { credential: cred ?? "" }])}
                  />
                </div>
              )}
              <button
                type="button"
                className={`rounded p-1 hover:bg-slate-100 ${typeof v === "string" ? "text-slate-500" : "text-brand-700"}`}
                aria-label={typeof v === "string" ? `Use a saved credential for ${k || "this variable"}` : `Type a plain value for ${k || "this variable"}`}
                title={typeof v === "string" ? "Use a saved credential (kept out of manifests)" : "Type a plain value instead"}
                disabled={disabled}
                onClick={() => change(i, [k, typeof v === "string" ? { credential: "" } : ""])}
              >
                <KeyRound size={14} />
              </button>
              <button type="button" className="rounded p-1 text-slate-500 hover:bg-slate-100" aria-label={`Remove ${k || "entry"}`} disabled={disabled} onClick={() => commit(entries.filter((_, j) => j !== i))}>
                <Trash2 size={14} />
              </button>
            </div>
            {typeof v === "string" && v !== "" && looksLikeSecretName(k) && (
              <p className="text-xs text-amber-700" data-testid={`env-plain-secret-${i + 1}`}>
                {k} looks like a secret: use a saved credential (key button) so it stays out of manifests and exported files.
              </p>
            )}
          </div>
        ))}
        <AddEntryButton label="Add variable" disabled={disabled} onClick={() => commit([...entries, [nextKey(entries.map(([k]) => k)), ""]])} />
      </div>
    </FieldShell>
  );
}

function isCredentialRef(v: unknown): v is { credential: string } {
  return typeof v === "object" && v !== null && typeof (v as { credential?: unknown }).credential === "string";
}
