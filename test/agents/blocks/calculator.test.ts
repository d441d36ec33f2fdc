import { describe, expect, it } from "vitest";
import { evaluateExpression } from "#agents/blocks/tool-calculator/evaluate";

describe("calculator", () => {
  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["2 ^ 3 ^ 2", 512],
    ["-2 ^ 2", -4],
    ["10 % 4", 2],
    ["sqrt(16) + abs(-3)", 7],
    ["max(1, 5, 3) - min(4, 2)", 3],
    ["round(2.5) + floor(2.7) + ceil(2.1)", 8],
    ["2 × 3 ÷ 4", 1.5],
    ["1.5e3 / .5", 3000],
  ])("%s = %d", (expression, expected) => {
    expect(evaluateExpression(expression)).toBeCloseTo(expected, 10);
  });

  it("knows pi and e", () => {
    expect(evaluateExpression("pi")).toBeCloseTo(Math.PI);
    expect(evaluateExpression("log(e)")).toBeCloseTo(1);
  });

  it.each([
    ["1 / 0", "Division by zero."],
    ["2 +", "The expression ends too early."],
    ["(1 + 2", 'Expected ")" at the end.'],
    ["1 + 2)", 'Unexpected ")" at position 6.'],
    ["process + 1", 'Unknown name "process" at position 1.'],
    ["2 & 3", 'Unexpected "&" at position 3.'],
    ["", "The expression is empty."],
    ["sqrt(-1)", "The result is not a finite number."],
  ])("%s fails with %s", (expression, message) => {
    expect(() => evaluateExpression(expression)).toThrow(message);
  });

  it("refuses pathological input", () => {
    expect(() => evaluateExpression("(".repeat(150) + "1" + ")".repeat(150))).toThrow("nested too deeply");
    expect(() => evaluateExpression("1+".repeat(600) + "1")).toThrow("at most 1000 characters");
  });
});
