import { describe, expect, it } from "vitest";
import { durationHoursOf } from "#app/lib/marketplace/duration";
import { describeCommitment, formatPriceRange, formatWeiPerSecond, sponPerHourFromWeiPerSecond, weiToSpon } from "#app/lib/marketplace/price";

describe("marketplace prices", () => {
  it("convert wei to SPON exactly, without float rounding", () => {
    expect(weiToSpon("1500000000000000000")).toBe("1.5");
    expect(weiToSpon("1")).toBe("0.000000000000000001");
    expect(weiToSpon("123456789012345678901234567")).toBe("123456789.012345678901234567");
    expect(weiToSpon(0n)).toBe("0");
    expect(weiToSpon("-2000000000000000000")).toBe("-2");
  });

  it("turn a bid's wei per second into SPON per hour", () => {
    // 1 SPON/h is 10^18 / 3600 wei per second, which does not divide: the bid's own figure stays exact.
    expect(sponPerHourFromWeiPerSecond("277777777777778")).toBe("1.0000000000000008");
    expect(formatWeiPerSecond("277777777777778")).toBe("1.00 SPON/h");
    expect(formatWeiPerSecond("27777777777778")).toBe("0.10 SPON/h");
    expect(formatWeiPerSecond("not a number")).toBe("not a number wei/s");
  });

  it("show the live offers as a range, one figure when they agree, nothing without offers", () => {
    expect(formatPriceRange(["0.8", "1.2", "0.95"])).toBe("0.80–1.20 SPON/h");
    expect(formatPriceRange(["0.5", "0.5"])).toBe("0.50 SPON/h");
    expect(formatPriceRange([])).toBeNull();
  });

  it("say what a rental commits to, or that it bills until stopped", () => {
    expect(describeCommitment("0.5", 4)).toBe("0.50 SPON/h × 4 h = 2.00 SPON at most");
    expect(describeCommitment("0.5", null)).toBe("0.50 SPON/h, billed while it runs, until you stop it");
  });
});

describe("the duration a person chooses", () => {
  it("is whole hours from 1 to 720, or until stopped", () => {
    expect(durationHoursOf({ untilStopped: false, hours: "4" })).toEqual({ hours: 4, error: null });
    expect(durationHoursOf({ untilStopped: true, hours: "oops" })).toEqual({ hours: null, error: null });
    expect(durationHoursOf({ untilStopped: false, hours: "1.5" }).error).toMatch(/whole number/);
    expect(durationHoursOf({ untilStopped: false, hours: "0" }).error).toMatch(/at least 1/);
    expect(durationHoursOf({ untilStopped: false, hours: "800" }).error).toMatch(/until stopped/);
  });
});
