import { describe, expect, it } from "vitest";
import { formatSpon } from "#app/lib/spon";

describe("SPON amounts for people", () => {
  it("carry a unit and sensible decimals", () => {
    expect(formatSpon("1.25", "SPON/h")).toBe("1.25 SPON/h");
    expect(formatSpon("3", "SPON")).toBe("3.00 SPON");
    expect(formatSpon("0.098", "SPON/h")).toBe("0.098 SPON/h");
    expect(formatSpon("0.123456", "SPON/h")).toBe("0.1235 SPON/h");
    expect(formatSpon("1234.5")).toBe("1,234.50 SPON");
    expect(formatSpon("12.345678")).toBe("12.35 SPON");
    expect(formatSpon("0")).toBe("0 SPON");
    expect(formatSpon("0.000001", "SPON/h")).toBe("< 0.0001 SPON/h");
  });
});
