import { Trash2 } from "lucide-react";
import { useEffect, useId, useState } from "react";
import { templateVariables } from "#agents/blocks/prompt-template/block";
import { CharLimit, useCutByPaste } from "#app/components/ui/char-limit";
import { CredentialSelect } from "./credential-select";
import { KnowledgeBaseSelect } from "./knowledge-base-select";
import { EnvControl } from "./env-control";
import { a11y, AddEntryButton, FieldShell, inputClass, nextKey, type FieldProps } from "./field-shell";
import { ModelPickerControl } from "./model-picker";
import { ProviderUrlControl } from "./provider-url-control";

export type { FieldProps } from "./field-shell";

function TextControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const text = typeof value === "string" ? value : value == null ? "" : String(value);
  const multiline = field.widget === "textarea" || field.widget === "prompt" || field.widget === "code";
  const variables = field.widget === "prompt" ? templateVariables(text) : [];
  // A text area stops at its limit (maxLength); a one-line field lets the text run over and
  // shows the error instead. Either way the counter shows how close the text is.
  const { cut, onPaste } = useCutByPaste(text.length, multiline ? field.maxLength : undefined);
  return (
    <FieldShell field={field} error={error} id={id}>
      {multiline ? (
        <textarea
          {...a11y(id, field, error)}
          className={`${inputClass(error)} min-h-32 font-mono text-xs leading-relaxed`}
          spellCheck={field.widget === "code" ? false : undefined}
          value={text}
          disabled={disabled}
          maxLength={field.maxLength}
          onPaste={onPaste}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <input
          {...a11y(id, field, error)}
          className={inputClass(error)}
          value={text}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {field.maxLength !== undefined && (
        <CharLimit length={text.length} maxLength={field.maxLength} cut={cut} always={field.widget === "prompt"} testId={`field-${field.key}`} />
      )}
      {field.widget === "prompt" && (
        <p className="mt-1 text-xs text-slate-500">
          Write <code className="rounded bg-slate-100 px-1">{"{name}"}</code> to insert a value; each one becomes an input on the
          block.
          {variables.length > 0 && (
            <span className="mt-1 flex flex-wrap gap-1" aria-label="Variables">
              {variables.map((v) => (
                <span key={v} className="rounded bg-blue-50 px-1.5 py-0.5 font-mono text-[11px] text-blue-700">
                  {`{${v}}`}
                </span>
              ))}
            </span>
          )}
        </p>
      )}
    </FieldShell>
  );
}

/** Keeps what the user types (e.g. "0." or "-") while the stored value stays a number. */
function NumberControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const shown = typeof value === "number" ? String(value) : value == null ? "" : String(value);
  const [draft, setDraft] = useState(shown);
  useEffect(() => {
    setDraft((d) => (Number(d) === Number(shown) && d.trim() !== "" ? d : shown));
  }, [shown]);
  const bounds =
    field.minimum !== undefined && field.maximum !== undefined
      ? `Between ${field.minimum} and ${field.maximum}`
      : field.minimum !== undefined
        ? `At least ${field.minimum}`
        : field.maximum !== undefined
          ? `At most ${field.maximum}`
          : null;
  return (
    <FieldShell
      field={{ ...field, description: [field.description?.replace(/\.$/, ""), bounds].filter(Boolean).join(". ") || undefined }}
      error={error}
      id={id}
    >
      <input
        {...a11y(id, field, error)}
        type="number"
        inputMode="decimal"
        className={inputClass(error)}
        value={draft}
        min={field.minimum}
        max={field.maximum}
        step={field.integer ? 1 : "any"}
        disabled={disabled}
        onChange={(e) => {
          const raw = e.target.value;
          setDraft(raw);
          if (raw.trim() === "") onChange(undefined);
          else onChange(Number.isFinite(Number(raw)) ? Number(raw) : raw);
        }}
      />
    </FieldShell>
  );
}

function ToggleControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const on = value === true;
  return (
    <FieldShell field={field} error={error} id={id}>
      <button
        {...a11y(id, field, error)}
        type="button"
        role="switch"
        aria-checked={on}
        disabled={disabled}
        onClick={() => onChange(!on)}
        className={`relative inline-flex h-5 w-9 items-center rounded-full transition ${on ? "bg-brand-600" : "bg-slate-300"}`}
      >
        <span className={`inline-block h-4 w-4 rounded-full bg-white shadow transition ${on ? "translate-x-4" : "translate-x-0.5"}`} />
      </button>
    </FieldShell>
  );
}

function SelectControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const current = value == null ? "" : String(value);
  return (
    <FieldShell field={field} error={error} id={id}>
      <select {...a11y(id, field, error)} className={inputClass(error)} value={current} disabled={disabled} onChange={(e) => {
        const picked = field.options?.find((o) => o.value === e.target.value);
        onChange(e.target.value === "" ? (field.nullable ? null : undefined) : picked?.value);
      }}>
        {(field.nullable || current === "") && <option value="">{field.nullable ? "None" : "Choose…"}</option>}
        {field.options?.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

function KeyValueControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const entries = Object.entries(value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
  const commit = (next: [string, unknown][]) => onChange(Object.fromEntries(next));
  return (
    <FieldShell field={field} error={error} id={id}>
      <div className="space-y-1.5" id={id} data-testid={`field-${field.key}`}>
        {entries.map(([k, v], i) => (
          <div key={i} className="flex gap-1.5">
            <input
              aria-label={`${field.title} name ${i + 1}`}
              className={inputClass()}
              value={k}
              disabled={disabled}
              onChange={(e) => commit(entries.map((en, j) => (j === i ? [e.target.value, en[1]] : en)))}
            />
            <input
              aria-label={`${field.title} value ${i + 1}`}
              className={inputClass()}
              value={String(v ?? "")}
              disabled={disabled}
              onChange={(e) => commit(entries.map((en, j) => (j === i ? [en[0], e.target.value] : en)))}
            />
            <button type="button" className="rounded p-1 text-slate-500 hover:bg-slate-100" aria-label={`Remove ${k || "entry"}`} disabled={disabled} onClick={() => commit(entries.filter((_, j) => j !== i))}>
              <Trash2 size={14} />
            </button>
          </div>
        ))}
        <AddEntryButton label="Add entry" disabled={disabled} onClick={() => commit([...entries, [nextKey(entries.map(([k]) => k)), ""]])} />
      </div>
    </FieldShell>
  );
}


function ListControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const items = Array.isArray(value) ? value.map(String) : [];
  const [draft, setDraft] = useState(items.join("\n"));
  useEffect(() => {
    setDraft((d) => (d.split("\n").filter((l) => l.trim()).join("\n") === items.join("\n") ? d : items.join("\n")));
  }, [items.join("\n")]);
  return (
    <FieldShell field={{ ...field, description: field.description ?? "One per line." }} error={error} id={id}>
      <textarea
        {...a11y(id, field, error)}
        className={`${inputClass(error)} min-h-20 font-mono text-xs`}
        value={draft}
        disabled={disabled}
        onChange={(e) => {
          setDraft(e.target.value);
          onChange(e.target.value.split("\n").map((l) => l.trim()).filter(Boolean));
        }}
      />
    </FieldShell>
  );
}

/** Free-form JSON: the stored value changes only when the text parses. */
function JsonControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const serialized = value === undefined ? "" : JSON.stringify(value, null, 2);
  const [draft, setDraft] = useState(serialized);
  const [parseError, setParseError] = useState<string | null>(null);
  useEffect(() => {
    setDraft((d) => {
      try {
        return JSON.stringify(JSON.parse(d)) === JSON.stringify(value) ? d : serialized;
      } catch {
        return d;
      }
    });
  }, [serialized, value]);
  return (
    <FieldShell field={field} error={parseError ?? error} id={id}>
      <textarea
        {...a11y(id, field, parseError ?? error)}
        className={`${inputClass(parseError ?? error)} min-h-24 font-mono text-xs`}
        value={draft}
        spellCheck={false}
        disabled={disabled}
        onChange={(e) => {
          setDraft(e.target.value);
          if (e.target.value.trim() === "") {
            setParseError(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setParseError(null);
          } catch {
            setParseError("This is not valid JSON yet (check quotes, commas and brackets).");
          }
        }}
      />
    </FieldShell>
  );
}

function SecretControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  return (
    <FieldShell field={field} error={error} id={id}>
      <CredentialSelect
        id={id}
        testId={`field-${field.key}`}
        value={typeof value === "string" ? value : null}
        disabled={disabled}
        invalid={Boolean(error)}
        onChange={(v) => onChange(v)}
      />
    </FieldShell>
  );
}

function KnowledgeBaseControl({ field, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  return (
    <FieldShell field={field} error={error} id={id}>
      <KnowledgeBaseSelect id={id} testId={`field-${field.key}`} value={typeof value === "string" ? value : ""} disabled={disabled} invalid={Boolean(error)} onChange={onChange} />
    </FieldShell>
  );
}

export function FieldControl(props: FieldProps) {
  switch (props.field.widget) {
    case "text":
    case "textarea":
    case "prompt":
    case "code":
      return <TextControl {...props} />;
    case "number":
      return <NumberControl {...props} />;
    case "toggle":
      return <ToggleControl {...props} />;
    case "select":
      return <SelectControl {...props} />;
    case "secret":
      return <SecretControl {...props} />;
    case "key-value":
      return <KeyValueControl {...props} />;
    case "env":
      return <EnvControl {...props} />;
    case "list":
      return <ListControl {...props} />;
    case "json":
      return <JsonControl {...props} />;
    case "provider-url":
      return <ProviderUrlControl {...props} />;
    case "model":
      return <ModelPickerControl {...props} />;
    case "knowledge-base":
      return <KnowledgeBaseControl {...props} />;
  }
}
