import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { FormError } from "#app/components/ui/field";
import { describeApiError, useTRPC } from "#app/lib/trpc";
import { MetricsCharts } from "./metrics-charts";

const RANGES = [
  { value: "15m", label: "Last 15 minutes" },
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
] as const;
type Range = (typeof RANGES)[number]["value"];

/** Metrics over a chosen range, refreshed every five seconds while the page is open. */
export function MetricsSection({ endpointId }: { endpointId: string }) {
  const trpc = useTRPC();
  const id = useId();
  const [range, setRange] = useState<Range>("15m");
  const query = useQuery({ ...trpc.endpoint.metrics.queryOptions({ id: endpointId, range }), refetchInterval: 5_000, placeholderData: (p) => p });
  return (
    <section className="space-y-2" aria-labelledby={`${id}-title`}>
      <div className="flex items-center justify-between gap-2">
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          Metrics
        </h2>
        <label className="sr-only" htmlFor={`${id}-range`}>
          Range
        </label>
        <select id={`${id}-range`} className="rounded-md border border-slate-300 px-2 py-1 text-sm" value={range} onChange={(e) => setRange(e.target.value as Range)}>
          {RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      {query.isError && <FormError message={describeApiError(query.error).message} />}
      {query.data ? <MetricsCharts metrics={query.data} /> : <p className="text-sm text-slate-500">Loading…</p>}
    </section>
  );
}
