import { describe, expect, it } from "vitest";
import { formatSpon, formatSponShort, parseSpon, SponInputError, sponForChart, toWei, WEI_PER_SPON } from "#app/lib/spon-amount";

describe("formatSpon: wei → SPON for people, exact (bigint only)", () => {
  it("shows every significant decimal by default, with thousands separators", () => {
    expect(formatSpon(0n)).toBe("0 SPON");
    expect(formatSpon(WEI_PER_SPON)).toBe("1 SPON");
    expect(formatSpon(1_500_000_000_000_000_000n)).toBe("1.5 SPON");
    expect(formatSpon(1234n * WEI_PER_SPON + 5n * 10n ** 17n)).toBe("1,234.5 SPON");
    expect(formatSpon(1n)).toBe("0.000000000000000001 SPON");
    expect(formatSpon(10_000_000n * WEI_PER_SPON + 1n)).toBe("10,000,000.000000000000000001 SPON");
    expect(formatSpon(999n * WEI_PER_SPON)).toBe("999 SPON");
    expect(formatSpon(1000n * WEI_PER_SPON)).toBe("1,000 SPON");
  });

  it("stays exact where floats are not (0.1 + 0.2, 2^53 + 1 wei, 78-digit amounts)", () => {
    expect(formatSpon(10n ** 17n + 2n * 10n ** 17n)).toBe("0.3 SPON");
    expect(formatSpon(2n ** 53n + 1n)).toBe("0.009007199254740993 SPON");
    const huge = 2n ** 256n - 1n;
    expect(formatSpon(huge, { unit: null }).replaceAll(",", "").replace(".", "")).toBe(huge.toString());
  });

  it("accepts the API's decimal strings and refuses anything else", () => {
    expect(formatSpon("2500000000000000000")).toBe("2.5 SPON");
    expect(toWei("-5")).toBe(-5n);
    expect(() => formatSpon("1.5")).toThrow(/Not an amount in wei/);
    expect(() => formatSpon("1e18")).toThrow(/Not an amount in wei/);
    expect(() => formatSpon("")).toThrow(/Not an amount in wei/);
  });

  it("cuts toward zero at maxFractionDigits, pads to minFractionDigits, and never shows a tiny amount as zero", () => {
    expect(formatSponShort(1_999_999_999_999_999_999n)).toBe("1.9999 SPON");
    expect(formatSponShort(12n * WEI_PER_SPON + 5n * 10n ** 17n)).toBe("12.50 SPON");
    expect(formatSponShort(0n)).toBe("0.00 SPON");
    expect(formatSponShort(1n)).toBe("< 0.0001 SPON");
    expect(formatSponShort(-1n)).toBe("> -0.0001 SPON");
    expect(formatSpon(5n * 10n ** 17n, { maxFractionDigits: 0 })).toBe("< 1 SPON");
    expect(formatSponShort(-1234n * WEI_PER_SPON)).toBe("-1,234.00 SPON");
    expect(formatSpon(3n * WEI_PER_SPON, { unit: "SPON/day" })).toBe("3 SPON/day");
    expect(formatSpon(3n * WEI_PER_SPON, { unit: null })).toBe("3");
    expect(formatSpon(1234n * WEI_PER_SPON + 1n, { unit: null, grouping: false })).toBe("1234.000000000000000001");
  });
});

describe("parseSpon: what a person typed → wei", () => {
  it("reads whole numbers, decimals and grouped thousands exactly", () => {
    expect(parseSpon("25")).toBe(25n * WEI_PER_SPON);
    expect(parseSpon(" 0.5 ")).toBe(WEI_PER_SPON / 2n);
    expect(parseSpon(".5")).toBe(WEI_PER_SPON / 2n);
    expect(parseSpon("1.")).toBe(WEI_PER_SPON);
    expect(parseSpon("1,000.25")).toBe(1000n * WEI_PER_SPON + WEI_PER_SPON / 4n);
    expect(parseSpon("0.000000000000000001")).toBe(1n);
    expect(parseSpon("0")).toBe(0n);
  });

  it("round-trips with formatSpon", () => {
    for (const wei of [0n, 1n, 999n, WEI_PER_SPON, 123_456_789_012_345_678_901_234_567n]) {
      expect(parseSpon(formatSpon(wei, { unit: null }))).toBe(wei);
    }
  });

  it("refuses what is not an amount, saying what to fix", () => {
    const refusal = (text: string) => {
      try {
        parseSpon(text);
        return "accepted";
      } catch (e) {
        expect(e).toBeInstanceOf(SponInputError);
        return (e as Error).message;
      }
    };
    expect(refusal("")).toMatch(/Enter an amount/);
    expect(refusal("-1")).toMatch(/cannot be negative/);
    expect(refusal("1e3")).toMatch(/not an amount/);
    expect(refusal("abc")).toMatch(/not an amount/);
    expect(refusal("1,00")).toMatch(/not an amount/);
    expect(refusal("1.2.3")).toMatch(/not an amount/);
    expect(refusal(".")).toMatch(/not an amount/);
    expect(refusal("0.0000000000000000001")).toMatch(/18 decimals/);
  });
});

describe("sponForChart", () => {
  it("gives a chart a number of SPON rounded down to the micro-SPON", () => {
    expect(sponForChart(1_500_000_000_000_000_000n)).toBe(1.5);
    expect(sponForChart("1234567890000000000000")).toBe(1234.56789);
    expect(sponForChart(999_999_999_999n)).toBe(0);
  });
});
