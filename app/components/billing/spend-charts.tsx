import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { chartRows, chartSeries, reportTotals, tooltipValue, type ChartMeasure, type ChartRow, type ChartSeries } from "#app/lib/billing/usage-chart";
import { formatSponShort } from "#app/lib/spon-amount";
import { useTRPC } from "#app/lib/trpc";

const GROUPS = [
  { value: "agent", label: "Agent" },
  { value: "apiKey", label: "API key" },
  { value: "endpoint", label: "Endpoint" },
] as const;
const PERIODS = [7, 30, 90] as const;

/** Spend and token usage per UTC day, stacked by agent, API key or deployed endpoint. */
export function SpendCharts() {
  const trpc = useTRPC();
  const [groupBy, setGroupBy] = useState<(typeof GROUPS)[number]["value"]>("agent");
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30);
  const usage = useQuery({ ...trpc.billing.usage.queryOptions({ days, groupBy }), placeholderData: keepPreviousData });
  const report = usage.data;
  const series = report ? chartSeries(report) : [];
  const totals = report ? reportTotals(report) : null;

  return (
    <section aria-labelledby="usage-heading" className="space-y-3" data-testid="spend-charts">
      <div className="flex flex-wrap items-center gap-4">
        <h2 id="usage-heading" className="font-semibold">
          Usage and spend
        </h2>
        <fieldset className="flex items-center gap-2 text-sm">
          <legend className="sr-only">Group by</legend>
          <span className="text-slate-600">By</span>
          {GROUPS.map((g) => (
            <label key={g.value} className="inline-flex items-center gap-1">
              <input type="radio" name="usage-group" value={g.value} checked={groupBy === g.value} onChange={() => setGroupBy(g.value)} />
              {g.label}
            </label>
          ))}
        </fieldset>
        <label className="text-sm text-slate-600">
          Period{" "}
          <select className="rounded border border-slate-300 px-1 py-0.5" value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof PERIODS)[number])}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                last {p} days
              </option>
            ))}
          </select>
        </label>
      </div>
      {usage.error ? (
        <p role="alert" className="text-sm text-red-700">
          {usage.error.message}
        </p>
      ) : !report || !totals ? (
        <p className="text-sm text-slate-500">Loading usage…</p>
      ) : (
        <>
          <p className="text-sm text-slate-700" data-testid="usage-totals">
            {formatSponShort(totals.spentWei)} spent · {totals.requests.toLocaleString("en")} request{totals.requests === 1 ? "" : "s"} · {totals.tokens.toLocaleString("en")} tokens in the last {days} days
          </p>
          {series.length === 0 ? (
            <p className="text-sm text-slate-500" data-testid="no-usage">
              Nothing was spent by {GROUPS.find((g) => g.value === groupBy)!.label.toLowerCase()} in this period.
            </p>
          ) : (
            <div className="grid gap-6 md:grid-cols-2">
              <DailyChart title="Spend per day (SPON, UTC)" measure="spend" rows={chartRows(report, series, "spend")} series={series} testId="spend-chart" />
              <DailyChart title="Tokens per day (UTC)" measure="tokens" rows={chartRows(report, series, "tokens")} series={series} testId="tokens-chart" />
              <DailyChart title="Requests per day (UTC)" measure="requests" rows={chartRows(report, series, "requests")} series={series} testId="requests-chart" />
            </div>
          )}
          {series.length > 0 && <SeriesTable rows={chartRows(report, series, "spend")} series={series} />}
        </>
      )}
    </section>
  );
}

function DailyChart({ title, measure, rows, series, testId }: { title: string; measure: ChartMeasure; rows: ChartRow[]; series: ChartSeries[]; testId: string }) {
  return (
    <figure data-testid={testId}>
      <figcaption className="mb-1 text-sm font-medium text-slate-700">{title}</figcaption>
      {/* The table under the charts is the text version; the drawing itself says nothing to a screen reader. */}
      <div aria-hidden>
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={rows}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" fontSize={11} />
            <YAxis fontSize={11} width={56} allowDecimals={measure === "spend"} />
            <Tooltip formatter={(_value, _name, item) => [tooltipValue(item.payload as ChartRow, String(item.dataKey), measure), series.find((s) => s.key === item.dataKey)?.label ?? ""]} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {series.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} stackId="day" fill={s.color} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** The charts' numbers as a table: each group's spend on the days it spent anything. */
function SeriesTable({ rows, series }: { rows: ChartRow[]; series: ChartSeries[] }) {
  const spentDays = rows.filter((r) => series.some((s) => r[`${s.key}:wei`] !== "0"));
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-slate-700">Spend per day as a table</summary>
      <table className="mt-2 w-full text-left" data-testid="spend-table">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th className="py-1">Day (UTC)</th>
            {series.map((s) => (
              <th key={s.key}>{s.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {spentDays.map((r) => (
            <tr key={r.day} className="border-t border-slate-200">
              <td className="py-1">{r.day}</td>
              {series.map((s) => (
                <td key={s.key} className="tabular-nums">
                  {tooltipValue(r, s.key, "spend")}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
