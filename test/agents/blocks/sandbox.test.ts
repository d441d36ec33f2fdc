import { describe, expect, it } from "vitest";
import { runInSandbox } from "#agents/blocks/tool-code/sandbox.server";

const limits = { timeoutMs: 300, memoryBytes: 8 * 1024 * 1024 };

describe("tool.code sandbox (QuickJS)", () => {
  it("runs a function body on JSON input and returns JSON", async () => {
    await expect(runInSandbox("return { sum: input.a + input.b, list: [1, 'two', null] };", { a: 2, b: 3 }, limits)).resolves.toEqual({
      sum: 5,
      list: [1, "two", null],
    });
    await expect(runInSandbox("return input.text.toUpperCase();", { text: "abc" }, limits)).resolves.toBe("ABC");
    await expect(runInSandbox("", {}, limits)).resolves.toBeNull();
  });

  it("has no require, no process, no fetch, no timers", async () => {
    await expect(runInSandbox("return require('fs').readFileSync('/etc/passwd', 'utf8');", {}, limits)).rejects.toThrow(
      /ReferenceError: '?require'? is not defined/,
    );
    await expect(runInSandbox("return process.env;", {}, limits)).rejects.toThrow(/ReferenceError: '?process'? is not defined/);
    await expect(runInSandbox("return typeof fetch + typeof setTimeout + typeof globalThis.std + typeof globalThis.os;", {}, limits)).resolves.toBe(
      "undefinedundefinedundefinedundefined",
    );
    await expect(runInSandbox("return import('fs');", {}, limits)).rejects.toThrow();
  });

  it("stops an infinite loop at its time limit", async () => {
    const started = Date.now();
    await expect(runInSandbox("while (true) {}", {}, limits)).rejects.toThrow("The code ran longer than 300 ms and was stopped.");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("stops a memory bomb at its memory limit", async () => {
    // Time enough that the memory limit, not the clock, stops the bomb on a busy machine too.
    const bombLimits = { timeoutMs: 15_000, memoryBytes: 8 * 1024 * 1024 };
    await expect(runInSandbox("const a = []; while (true) a.push({ x: 1, y: [1, 2, 3] });", {}, bombLimits)).rejects.toThrow(
      "The code used more than 8 MB of memory and was stopped.",
    );
    await expect(runInSandbox("let s = 'x'; for (;;) s += s;", {}, bombLimits)).rejects.toThrow(/string too long|memory/);
    // The sandbox still works after a bomb.
    await expect(runInSandbox("return 1 + 1;", {}, limits)).resolves.toBe(2);
  });

  it("stops runaway recursion", async () => {
    await expect(runInSandbox("function f() { return f() + 1; } return f();", {}, limits)).rejects.toThrow("The code recursed too deeply (stack overflow).");
    await expect(runInSandbox("function g(a, b, c, d, e) { return g(a, b, c, d, e) + 1; } return g(1, 2, 3, 4, 5);", {}, limits)).rejects.toThrow(
      "stack overflow",
    );
    await expect(runInSandbox("return 'still fine';", {}, limits)).resolves.toBe("still fine");
  });

  it("insists on a JSON result", async () => {
    await expect(runInSandbox("return () => 1;", {}, limits)).rejects.toThrow("The code must return JSON");
    await expect(runInSandbox("return Promise.resolve(1);", {}, limits)).rejects.toThrow("Return a value, not a Promise");
    await expect(runInSandbox("const a = {}; a.self = a; return a;", {}, limits)).rejects.toThrow(/circular/i);
  });

  it("reports the code's own errors", async () => {
    await expect(runInSandbox("throw new Error('bad input: ' + input.x);", { x: 7 }, limits)).rejects.toThrow("Error: bad input: 7");
  });

  it("each call gets a fresh runtime: nothing leaks between calls", async () => {
    await runInSandbox("globalThis.secret = 42; return 1;", {}, limits);
    await expect(runInSandbox("return typeof globalThis.secret;", {}, limits)).resolves.toBe("undefined");
  });
});
