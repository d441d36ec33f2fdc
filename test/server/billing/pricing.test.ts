import { describe, expect, it } from "vitest";
import { amountFromText, amountToText, sponToWei, weiToSpon } from "#server/billing/amounts";
import { leaseAccruedWei, leaseLockWei, ratePerSecondFromHourly, tokenCostWei } from "#server/billing/pricing";

describe("pricing in wei", () => {
  it("prices tokens per 1K, rounding each request up to the wei", () => {
    const price = { inputWeiPer1k: sponToWei("0.002"), outputWeiPer1k: sponToWei("0.006") };
    expect(tokenCostWei(price, 1000, 1000)).toBe(sponToWei("0.008"));
    expect(tokenCostWei(price, 12, 5)).toBe((12n * price.inputWeiPer1k + 5n * price.outputWeiPer1k) / 1000n);
    expect(tokenCostWei({ inputWeiPer1k: 1n, outputWeiPer1k: 0n }, 1, 0)).toBe(1n); // 0.001 wei → 1 wei
    expect(tokenCostWei({ inputWeiPer1k: 1_000n, outputWeiPer1k: 0n }, 3, 0)).toBe(3n); // exact stays exact
    expect(tokenCostWei(price, 0, 0)).toBe(0n);
    expect(() => tokenCostWei(price, -1, 0)).toThrow(RangeError);
    expect(() => tokenCostWei(price, 1.5, 0)).toThrow(RangeError);
  });

  it("turns an hourly price into wei per second rounded down, as the escrow streams it", () => {
    const rate = ratePerSecondFromHourly(sponToWei("1"));
    expect(rate).toBe(277_777_777_777_777n);
    expect(leaseAccruedWei(rate, 3600n, leaseLockWei(rate, 3600n))).toBe(999_999_999_999_997_200n);
    expect(weiToSpon(leaseAccruedWei(rate, 3600n, sponToWei("1")))).toBe("0.9999999999999972");
    expect(leaseAccruedWei(100n, 11n, 1_050n)).toBe(1_050n); // capped at the lock
    expect(() => ratePerSecondFromHourly(3599n)).toThrow(RangeError);
  });

  it("converts SPON text and stored text exactly, refusing what is not canonical", () => {
    expect(sponToWei("1.5")).toBe(1_500_000_000_000_000_000n);
    expect(sponToWei("0.000000000000000001")).toBe(1n);
    expect(() => sponToWei("0.0000000000000000001")).toThrow(/at most 18 decimals/);
    expect(() => sponToWei("1e3")).toThrow();
    expect(weiToSpon(1n)).toBe("0.000000000000000001");
    const big = 2n ** 200n;
    expect(amountFromText(amountToText(big))).toBe(big);
    expect(amountFromText("-7")).toBe(-7n);
    for (const bad of ["", "01", "-0", "+1", " 1", "1.0", "0x10"]) expect(() => amountFromText(bad)).toThrow();
  });
});
