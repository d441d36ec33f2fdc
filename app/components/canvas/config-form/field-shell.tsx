import { Plus } from "lucide-react";
import type { ReactNode } from "react";
import { HelpTip } from "#app/components/ui/hint";
import type { ConfigField } from "./schema-fields";

/** What every field control gets; `values` is the whole config, for fields that read a sibling. */
export type FieldProps = {
  field: ConfigField;
  value: unknown;
  error: string | undefined;
  disabled: boolean;
  onChange(value: unknown): void;
  values?: Readonly<Record<string, unknown>>;
};

const INPUT =
  "block w-full rounded-md border px-2.5 py-1.5 text-sm shadow-sm outline-none focus:ring-2 disabled:bg-slate-50 disabled:text-slate-500";
export const inputClass = (error?: string) =>
  `${INPUT} ${error ? "border-red-500 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"}`;

/** Label (with its hover explanation, if any), control, then the error (announced) or the description. */
export function FieldShell({ field, error, id, children }: { field: ConfigField; error?: string; id: string; children: ReactNode }) {
  return (
    <div data-field={field.key}>
      <div className="flex items-center gap-1">
        <label htmlFor={id} className="block text-xs font-medium text-slate-700">
          {field.title}
          {field.required && <span className="text-red-500"> *</span>}
        </label>
        {field.help && <HelpTip tip={field.help} />}
      </div>
      <div className="mt-1">{children}</div>
      {error ? (
        <p id={`${id}-note`} role="alert" className="mt-1 text-xs text-red-600" data-testid={`field-error-${field.key}`}>
          {error}
        </p>
      ) : field.description ? (
        <p id={`${id}-note`} className="mt-1 text-xs text-slate-500">
          {field.description}
        </p>
      ) : null}
    </div>
  );
}

export function a11y(id: string, field: ConfigField, error?: string) {
  return {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error || field.description ? `${id}-note` : undefined,
    "data-testid": `field-${field.key}`,
  } as const;
}

/** A name for a new key-value entry that is not taken yet (KEY_1, KEY_2, …). */
export function nextKey(taken: string[]): string {
  let i = taken.length + 1;
  while (taken.includes(`KEY_${i}`)) i++;
  return `KEY_${i}`;
}

/** The "add a row" button under a key/value editor (headers, environment variables). */
export function AddEntryButton({ label, disabled, onClick }: { label: string; disabled: boolean; onClick(): void }) {
  return (
    <button type="button" disabled={disabled} className="inline-flex items-center gap-1 text-xs text-brand-700 hover:underline" onClick={onClick}>
      <Plus size={12} /> {label}
    </button>
  );
}
