import { ChevronRight } from "lucide-react";
import { useId, useState, type ReactNode } from "react";
import { FieldControl } from "./field-controls";
import { fieldShown, type ConfigField } from "./schema-fields";

type ConfigFieldsProps = {
  /** Keys the controls, so switching nodes starts each field afresh. */
  nodeId: string;
  fields: readonly ConfigField[];
  config: Readonly<Record<string, unknown>>;
  errors: ReadonlyMap<string, string>;
  disabled: boolean;
  onChange(key: string, value: unknown): void;
};

/**
 * A block's config form as its schema declares it: the main fields, then an Advanced section
 * (closed until opened, or open when one of its fields has an error), each field shown only
 * while its condition on another field holds.
 */
export function ConfigFields({ nodeId, fields, config, errors, disabled, onChange }: ConfigFieldsProps) {
  // Conditions read what the form shows: a value not stored yet is its default.
  const values = { ...Object.fromEntries(fields.map((f) => [f.key, f.defaultValue])), ...config };
  const shown = fields.filter((f) => fieldShown(f, values, errors.has(f.key)));
  const main = shown.filter((f) => !f.advanced);
  const advanced = shown.filter((f) => f.advanced);
  const control = (field: ConfigField) => (
    <FieldControl
      key={`${nodeId}-${field.key}`}
      field={field}
      value={field.key in config ? config[field.key] : field.defaultValue}
      values={config}
      error={errors.get(field.key)}
      disabled={disabled}
      onChange={(value) => onChange(field.key, value)}
    />
  );
  return (
    <div className="space-y-3">
      {main.map(control)}
      {advanced.length > 0 && (
        <AdvancedSection key={nodeId} fields={advanced} hasError={advanced.some((f) => errors.has(f.key))}>
          {advanced.map(control)}
        </AdvancedSection>
      )}
    </div>
  );
}

function AdvancedSection({ fields, hasError, children }: { fields: readonly ConfigField[]; hasError: boolean; children: ReactNode }) {
  const [opened, setOpened] = useState(false);
  const open = opened || hasError;
  const id = useId();
  return (
    <section className="rounded-md border border-slate-200" data-testid="config-advanced" data-open={open}>
      <button
        type="button"
        className="flex w-full items-center gap-1.5 px-2.5 py-1.5 text-left text-xs font-medium text-slate-700 hover:bg-slate-50"
        aria-expanded={open}
        aria-controls={id}
        data-testid="config-advanced-toggle"
        // An error inside keeps it open: the field at fault stays in view.
        onClick={() => setOpened(!open)}
      >
        <ChevronRight size={14} className={`shrink-0 transition-transform ${open ? "rotate-90" : ""}`} aria-hidden />
        Advanced
        {!open && <span className="truncate font-normal text-slate-500">: {fields.map((f) => f.title).join(", ")}</span>}
      </button>
      {open && (
        <div id={id} className="space-y-3 border-t border-slate-100 px-2.5 py-2.5">
          {children}
        </div>
      )}
    </section>
  );
}
