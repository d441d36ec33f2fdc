import { describe, expect, it } from "vitest";
import { chartRows, chartSeries, formatDay, OTHER_KEY, reportTotals, tooltipValue, type UsageReportLike } from "#app/lib/billing/usage-chart";
import { WEI_PER_SPON } from "#app/lib/spon-amount";

const point = (costWei: bigint, tokens = 0) => ({ requests: tokens > 0 ? 1 : 0, promptTokens: tokens, completionTokens: 0, cost: { wei: costWei.toString() } });

const report: UsageReportLike = {
  groups: [
    { key: "a", label: "support-bot" },
    { key: "b", label: "summarizer" },
    { key: "c", label: "tiny" },
  ],
  days: [
    { day: "2026-11-30", total: { wei: "0" }, byGroup: {} },
    { day: "2026-12-01", total: { wei: (3n * WEI_PER_SPON + 1n).toString() }, byGroup: { a: point(WEI_PER_SPON, 100), b: point(2n * WEI_PER_SPON, 50), c: point(1n, 7) } },
  ],
};

describe("usage and spend chart rows", () => {
  it("ranks groups by spend and gives each its own colour", () => {
    expect(chartSeries(report).map((s) => [s.key, s.label])).toEqual([
      ["b", "summarizer"],
      ["a", "support-bot"],
      ["c", "tiny"],
    ]);
    expect(new Set(chartSeries(report).map((s) => s.color)).size).toBe(3);
  });

  it("sums the smallest groups into Other when there are too many, exactly in wei", () => {
    const series = chartSeries(report, 2);
    expect(series.map((s) => s.key)).toEqual(["b", OTHER_KEY]);
    expect(series[1]!.label).toBe("Other (2)");
    const [empty, today] = chartRows(report, series, "spend");
    expect(empty).toMatchObject({ day: "2026-11-30", label: "Nov 30", b: 0, [OTHER_KEY]: 0 });
    expect(today).toMatchObject({ b: 2, [`b:wei`]: (2n * WEI_PER_SPON).toString(), [OTHER_KEY]: 1, [`${OTHER_KEY}:wei`]: (WEI_PER_SPON + 1n).toString() });
    expect(tooltipValue(today!, OTHER_KEY, "spend")).toBe("1.00 SPON");
  });

  it("counts tokens per group for the usage chart", () => {
    const series = chartSeries(report);
    const today = chartRows(report, series, "tokens")[1]!;
    expect([today.a, today.b, today.c]).toEqual([100, 50, 7]);
    expect(tooltipValue(today, "a", "tokens")).toBe("100 tokens");
    expect(tooltipValue(today, "c", "spend")).toBe("< 0.0001 SPON");
  });

  it("totals a report without floats", () => {
    expect(reportTotals(report)).toEqual({ spentWei: 3n * WEI_PER_SPON + 1n, tokens: 157, requests: 3 });
    expect(formatDay("2026-01-05")).toBe("Jan 5");
  });

  it("counts requests per group for the requests chart", () => {
    const today = chartRows(report, chartSeries(report), "requests")[1]!;
    expect([today.a, today.b, today.c]).toEqual([1, 1, 1]);
    expect(tooltipValue(today, "a", "requests")).toBe("1 request");
    expect(tooltipValue({ ...today, a: 2 }, "a", "requests")).toBe("2 requests");
  });

  it("draws nothing for a group with no usage in the period", () => {
    expect(chartSeries({ groups: [{ key: "z", label: "idle" }], days: [{ day: "2026-12-01", total: { wei: "0" }, byGroup: {} }] })).toEqual([]);
  });
});
