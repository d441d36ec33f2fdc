/**
 * billing.usage() → the rows a stacked recharts bar chart draws: one row per UTC day, one bar
 * segment per group (agent, API key or endpoint). The biggest groups keep their own colour and
 * the rest are summed into "Other", so the legend stays readable. Sums are bigint wei; the
 * chart gets a number of SPON for the bar's height and the exact wei string for its tooltip.
 */
import { formatSponShort, sponForChart, toWei } from "../spon-amount";

type Money = { wei: string };
type Point = { requests: number; promptTokens: number; completionTokens: number; cost: Money };

/** The part of billing.usage()'s answer the charts read. */
export type UsageReportLike = {
  groups: readonly { key: string; label: string }[];
  days: readonly { day: string; total: Money; byGroup: Readonly<Record<string, Point>> }[];
};

export type ChartSeries = { key: string; label: string; color: string };
/** `day`, then per series: `<key>` (SPON or tokens, for the bar) and `<key>:wei` (exact, for the tooltip). */
export type ChartRow = { day: string; label: string } & Record<string, string | number>;

export const OTHER_KEY = "__other";
/** Colour-blind-safe (Okabe–Ito) order; the last is kept for "Other". */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];
const OTHER_COLOR = "#94a3b8";

const dayLabel = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" });

/** "2026-12-01" → "Dec 1" (the days are UTC days). */
export const formatDay = (day: string) => dayLabel.format(new Date(`${day}T00:00:00Z`));

/** The groups that get their own colour (the biggest spenders, then the busiest), and whether an "Other" is needed. */
export function chartSeries(report: UsageReportLike, maxSeries = PALETTE.length): ChartSeries[] {
  const spent = new Map<string, bigint>();
  const tokens = new Map<string, number>();
  for (const day of report.days) {
    for (const [key, point] of Object.entries(day.byGroup)) {
      spent.set(key, (spent.get(key) ?? 0n) + toWei(point.cost.wei));
      tokens.set(key, (tokens.get(key) ?? 0) + point.promptTokens + point.completionTokens);
    }
  }
  const ranked = [...report.groups]
    .filter((g) => spent.has(g.key))
    .sort((a, b) => {
      const bySpend = spent.get(b.key)! - spent.get(a.key)!;
      if (bySpend !== 0n) return bySpend > 0n ? 1 : -1;
      return (tokens.get(b.key) ?? 0) - (tokens.get(a.key) ?? 0) || a.label.localeCompare(b.label);
    });
  const own = ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked;
  const series = own.map((g, i) => ({ key: g.key, label: g.label, color: PALETTE[i % PALETTE.length]! }));
  if (ranked.length > own.length) series.push({ key: OTHER_KEY, label: `Other (${ranked.length - own.length})`, color: OTHER_COLOR });
  return series;
}

export type ChartMeasure = "spend" | "tokens" | "requests";

/** One row per day: each series' spend (SPON), tokens or requests; groups outside `series` go to "Other". */
export function chartRows(report: UsageReportLike, series: readonly ChartSeries[], measure: ChartMeasure): ChartRow[] {
  const own = new Set(series.map((s) => s.key));
  return report.days.map((day) => {
    const wei = new Map<string, bigint>();
    const count = new Map<string, number>();
    for (const [key, point] of Object.entries(day.byGroup)) {
      const into = own.has(key) ? key : OTHER_KEY;
      wei.set(into, (wei.get(into) ?? 0n) + toWei(point.cost.wei));
      count.set(into, (count.get(into) ?? 0) + (measure === "requests" ? point.requests : point.promptTokens + point.completionTokens));
    }
    const row: ChartRow = { day: day.day, label: formatDay(day.day) };
    for (const s of series) {
      const amount = wei.get(s.key) ?? 0n;
      row[s.key] = measure === "spend" ? sponForChart(amount) : (count.get(s.key) ?? 0);
      row[`${s.key}:wei`] = amount.toString();
    }
    return row;
  });
}

/** The tooltip's text for one bar segment: exact SPON from the row's wei, or a token or request count. */
export function tooltipValue(row: ChartRow, key: string, measure: ChartMeasure): string {
  if (measure === "spend") return formatSponShort(String(row[`${key}:wei`] ?? "0"));
  const count = Number(row[key] ?? 0);
  if (measure === "requests") return `${count.toLocaleString("en")} request${count === 1 ? "" : "s"}`;
  return `${count.toLocaleString("en")} tokens`;
}

/** Totals over the whole report, for the chart's caption and its text alternative. */
export function reportTotals(report: UsageReportLike): { spentWei: bigint; tokens: number; requests: number } {
  let spentWei = 0n;
  let tokens = 0;
  let requests = 0;
  for (const day of report.days) {
    spentWei += toWei(day.total.wei);
    for (const point of Object.values(day.byGroup)) {
      tokens += point.promptTokens + point.completionTokens;
      requests += point.requests;
    }
  }
  return { spentWei, tokens, requests };
}
