import { useQuery } from "@tanstack/react-query";
import { Cpu } from "lucide-react";
import { useDeferredValue, useId, useState } from "react";
import { FormError } from "#app/components/ui/field";
import { formatPriceRange } from "#app/lib/marketplace/price";
import { formatSpon } from "#app/lib/spon";
import { describeApiError, useTRPC } from "#app/lib/trpc";
import type { EndpointCatalogEntry } from "#server/services/market-views";

const TASKS = [
  { value: "", label: "Any task" },
  { value: "chat", label: "Chat" },
  { value: "embeddings", label: "Embeddings" },
] as const;
const SIZES = [
  { value: "", label: "Any size" },
  { value: "small", label: "Small (under 10B)" },
  { value: "medium", label: "Medium (10–40B)" },
  { value: "large", label: "Large (over 40B)" },
] as const;

const selectClass = "rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm";

/** What the model costs per hour: the live offers' range when nodes offer it now, else the catalog price. */
export function entryPrice(entry: EndpointCatalogEntry): string {
  if (entry.live) return formatPriceRange([entry.live.low.sponPerHour, entry.live.high.sponPerHour]) ?? formatSpon(entry.price.sponPerHour, "SPON/h");
  return formatSpon(entry.price.sponPerHour, "SPON/h");
}

/**
 * The model catalog with a search and task and size filters. Each model shows the GPU picked
 * for it and why, and its price per hour. Picking one is a radio choice (arrow keys work).
 */
export function CatalogPicker({ selected, onSelect }: { selected: EndpointCatalogEntry | null; onSelect(entry: EndpointCatalogEntry): void }) {
  const trpc = useTRPC();
  const id = useId();
  const [search, setSearch] = useState("");
  const [task, setTask] = useState<"" | "chat" | "embeddings">("");
  const [size, setSize] = useState<"" | "small" | "medium" | "large">("");
  const filters = { ...(useDeferredValue(search.trim()) ? { search: search.trim() } : {}), ...(task ? { task } : {}), ...(size ? { size } : {}) };
  const query = useQuery({ ...trpc.endpoint.catalog.queryOptions(filters), placeholderData: (previous) => previous });
  const entries = query.data ?? [];

  return (
    <section className="space-y-3" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        1. Pick a model
      </h2>
      <div className="flex flex-wrap gap-2">
        <label className="sr-only" htmlFor={`${id}-search`}>
          Search models
        </label>
        <input
          id={`${id}-search`}
          type="search"
          className={`${selectClass} min-w-56 flex-1`}
          placeholder="Search models, e.g. qwen"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <label className="sr-only" htmlFor={`${id}-task`}>
          Task
        </label>
        <select id={`${id}-task`} className={selectClass} value={task} onChange={(e) => setTask(e.target.value as typeof task)}>
          {TASKS.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor={`${id}-size`}>
          Size
        </label>
        <select id={`${id}-size`} className={selectClass} value={size} onChange={(e) => setSize(e.target.value as typeof size)}>
          {SIZES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      {query.isError && <FormError message={describeApiError(query.error).message} />}
      {query.isPending ? (
        <p className="text-sm text-slate-500">Loading the catalog…</p>
      ) : entries.length === 0 ? (
        <p className="text-sm text-slate-500" role="status">
          No model matches; clear the search or the filters.
        </p>
      ) : (
        <div role="radiogroup" aria-label="Models" className="grid gap-2 md:grid-cols-2" data-testid="endpoint-catalog">
          {entries.map((entry) => (
            <label
              key={entry.id}
              className={`flex cursor-pointer gap-3 rounded-md border p-3 text-sm ${selected?.id === entry.id ? "border-brand-500 bg-brand-50 ring-1 ring-brand-500" : "border-slate-200 hover:bg-slate-50"}`}
              data-testid="catalog-entry"
              data-model={entry.id}
            >
              <input type="radio" name={`${id}-model`} className="mt-1" checked={selected?.id === entry.id} onChange={() => onSelect(entry)} />
              <span className="min-w-0 flex-1 space-y-1">
                <span className="flex items-baseline justify-between gap-2">
                  <span className="font-medium text-slate-900">{entry.title}</span>
                  <span className="shrink-0 tabular-nums text-slate-700" data-testid="catalog-price">
                    {entryPrice(entry)}
                  </span>
                </span>
                <span className="block text-xs text-slate-600">
                  {entry.task === "chat" ? "Chat" : "Embeddings"} · {entry.paramsB}B parameters · {entry.contextLength.toLocaleString("en")} tokens context · {entry.runtime}
                  {entry.gated ? " · gated (needs a Hugging Face token)" : ""}
                </span>
                <span className="flex items-start gap-1 text-xs text-slate-700" data-testid="catalog-gpu">
                  <Cpu size={13} className="mt-px shrink-0" aria-hidden />
                  <span>
                    {entry.gpu.count}× {entry.gpu.title}: {entry.gpu.reason}
                  </span>
                </span>
                <span className="block text-[11px] text-slate-500">{entry.live ? `${entry.live.offers} live offer${entry.live.offers === 1 ? "" : "s"} now` : "No node offers this GPU now: catalog price"}</span>
              </span>
            </label>
          ))}
        </div>
      )}
    </section>
  );
}
