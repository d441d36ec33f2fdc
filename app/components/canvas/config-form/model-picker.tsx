import { useQuery } from "@tanstack/react-query";
import { ChevronDown } from "lucide-react";
import { useId, useState, type KeyboardEvent } from "react";
import { chatModelBaseUrl, describeChatModelTarget, hostOf } from "#agents/catalog/providers";
import { describeApiError, useTRPC } from "#app/lib/trpc";
import { a11y, FieldShell, inputClass, type FieldProps } from "./field-shell";

/** Rendering thousands of options helps nobody; typing narrows the list. */
const MAX_SHOWN = 300;

function isHttpUrl(value: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The base URL and credential id the model field's siblings hold (its declared `options` source). */
function sourceOf({ field, values }: FieldProps): { baseUrl: string; credentialId: string | null } {
  const source = field.optionsSource ?? { baseUrl: "baseUrl", credential: "credentialId" };
  const baseUrl = values?.[source.baseUrl];
  const credentialId = values?.[source.credential];
  return { baseUrl: typeof baseUrl === "string" ? baseUrl.trim() : "", credentialId: typeof credentialId === "string" && credentialId ? credentialId : null };
}

/**
 * A model name: free text, with a list filled from the provider's GET /models (asked by the
 * server with the chosen credential, `credential.models`), and under it the sentence that says
 * which model will answer. The list is fetched only when opened.
 */
export function ModelPickerControl(props: FieldProps) {
  const { field, value, error, disabled, onChange } = props;
  const id = useId();
  const listId = `${id}-models`;
  const trpc = useTRPC();
  const { baseUrl, credentialId } = sourceOf(props);
  const text = typeof value === "string" ? value : "";
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState("");
  const [active, setActive] = useState(-1);
  const urlUsable = baseUrl === "" || isHttpUrl(baseUrl);
  const models = useQuery({
    ...trpc.credential.models.queryOptions({ credentialId, baseUrl }),
    enabled: open && !disabled && urlUsable,
    retry: false,
    staleTime: 60_000,
  });
  const all = models.data?.models ?? [];
  const matching = filter ? all.filter((m) => m.toLowerCase().includes(filter.toLowerCase())) : all;
  const shown = matching.slice(0, MAX_SHOWN);

  const pick = (model: string) => {
    onChange(model);
    setOpen(false);
    setFilter("");
    setActive(-1);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) return setOpen(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((a) => (shown.length === 0 ? -1 : (a + step + shown.length) % shown.length));
    } else if (event.key === "Enter" && open && active >= 0 && shown[active] !== undefined) {
      event.preventDefault();
      pick(shown[active]);
    }
  };

  return (
    <FieldShell field={field} error={error} id={id}>
      <div
        className="relative"
        onBlur={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false);
        }}
        onKeyDown={(e) => {
          // Escape closes the list only; the editor would otherwise take it as "clear the selection".
          if (e.key !== "Escape" || !open) return;
          e.preventDefault();
          e.stopPropagation();
          setOpen(false);
        }}
      >
        <div className="flex gap-1">
          <input
            {...a11y(id, field, error)}
            role="combobox"
            aria-expanded={open}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
            autoComplete="off"
            spellCheck={false}
            className={`${inputClass(error)} font-mono text-xs`}
            value={text}
            disabled={disabled}
            onChange={(e) => {
              onChange(e.target.value);
              setFilter(e.target.value);
              setActive(-1);
              setOpen(true);
            }}
            onKeyDown={onKeyDown}
          />
          <button
            type="button"
            className="rounded-md border border-slate-300 px-1.5 text-slate-600 hover:bg-slate-50 disabled:opacity-50"
            aria-label="Show the provider's models"
            aria-expanded={open}
            aria-controls={listId}
            data-testid={`field-${field.key}-list`}
            disabled={disabled}
            onClick={() => {
              setFilter("");
              setActive(-1);
              setOpen(!open);
            }}
          >
            <ChevronDown size={14} aria-hidden />
          </button>
        </div>
        {open && (
          <div className="absolute z-20 mt-1 max-h-64 w-full overflow-auto rounded-md border border-slate-200 bg-white py-1 text-xs shadow-lg">
            {!urlUsable ? (
              <p className="px-2.5 py-1.5 text-slate-500">Enter a valid base URL first.</p>
            ) : models.isPending ? (
              <p className="px-2.5 py-1.5 text-slate-500" role="status">
                Asking {baseUrl || credentialId ? "the provider" : "Skyloom's default model"} for its models…
              </p>
            ) : models.isError ? (
              <p className="px-2.5 py-1.5 text-red-700" role="alert" data-testid="model-list-error">
                {describeApiError(models.error).message}
              </p>
            ) : (
              <>
                <ul role="listbox" id={listId} aria-label={`Models at ${models.data.baseUrl ? hostOf(models.data.baseUrl) : "Skyloom's default model"}`}>
                  {shown.map((m, i) => (
                    <li
                      key={m}
                      id={`${listId}-${i}`}
                      role="option"
                      aria-selected={m === text}
                      className={`cursor-pointer px-2.5 py-1 font-mono ${i === active ? "bg-brand-50 text-brand-800" : m === text ? "bg-slate-50" : "hover:bg-slate-50"}`}
                      // Keeps the focus in the input, so the list does not close before the click lands.
                      onMouseDown={(e) => e.preventDefault()}
                      onClick={() => pick(m)}
                    >
                      {m}
                    </li>
                  ))}
                </ul>
                <p className="px-2.5 pt-1 text-[11px] text-slate-500">
                  {matching.length === 0
                    ? `No listed model matches “${filter}”; any name the provider knows works.`
                    : matching.length > shown.length
                      ? `${matching.length - shown.length} more: type to narrow the list.`
                      : "Or type any model name."}
                </p>
              </>
            )}
          </div>
        )}
      </div>
      <AnswersWith model={text} baseUrl={baseUrl} credentialId={credentialId} />
    </FieldShell>
  );
}

/** "Answers with gpt-4o-mini at api.openai.com using credential “My OpenAI”." */
function AnswersWith({ model, baseUrl, credentialId }: { model: string; baseUrl: string; credentialId: string | null }) {
  const trpc = useTRPC();
  const credentials = useQuery(trpc.credential.list.queryOptions());
  const defaultModel = useQuery({ ...trpc.credential.defaultModel.queryOptions(), staleTime: Infinity });
  if (credentialId && !credentials.isSuccess) return null;
  const found = credentialId ? credentials.data?.find((c) => c.id === credentialId) : undefined;
  const credential = credentialId ? (found ? { name: found.name, baseUrl: found.baseUrl } : "missing") : null;
  const sentence = describeChatModelTarget({ model, baseUrl, credential, defaultModel: defaultModel.data });
  const devModel = chatModelBaseUrl({ baseUrl }, credential && credential !== "missing" ? credential : undefined) === "" && defaultModel.data?.source === "dev-model";
  return (
    <p
      className={`mt-1.5 rounded-md px-2 py-1.5 text-xs ${credential === "missing" ? "bg-red-50 text-red-700" : devModel ? "bg-amber-50 text-amber-900" : "bg-emerald-50 text-emerald-900"}`}
      data-testid="model-answers-with"
      aria-live="polite"
    >
      {sentence}
    </p>
  );
}
