import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxPool } from "#server/sandbox/pool";

// What code sees inside the sandbox, through the same pool of worker threads the server uses.
// Generous time: a call that should succeed must not time out on a busy machine.
const limits = { timeoutMs: 5_000, memoryBytes: 8 * 1024 * 1024 };
let pool: SandboxPool;

beforeAll(() => {
  pool = new SandboxPool({ size: 2, perTeam: 2 });
  pool.start();
});
afterAll(async () => {
  await pool.stop();
});

async function run(code: string, input: unknown = {}, callLimits = limits): Promise<unknown> {
  return JSON.parse(await pool.run({ teamId: "team_a", toolName: "run_code", code, input, limits: callLimits })) as unknown;
}

describe("tool.code sandbox (QuickJS in a worker thread)", () => {
  it("runs a function body on JSON input and returns JSON", async () => {
    await expect(run("return { sum: input.a + input.b, list: [1, 'two', null] };", { a: 2, b: 3 })).resolves.toEqual({
      sum: 5,
      list: [1, "two", null],
    });
    await expect(run("return input.text.toUpperCase();", { text: "abc" })).resolves.toBe("ABC");
    await expect(run("", {})).resolves.toBeNull();
  });

  it("has no require, no process, no fetch, no timers", async () => {
    await expect(run("return require('fs').readFileSync('/etc/passwd', 'utf8');")).rejects.toThrow(/ReferenceError: '?require'? is not defined/);
    await expect(run("return process.env;")).rejects.toThrow(/ReferenceError: '?process'? is not defined/);
    await expect(run("return typeof fetch + typeof setTimeout + typeof globalThis.std + typeof globalThis.os;")).resolves.toBe(
      "undefinedundefinedundefinedundefined",
    );
    await expect(run("return import('fs');")).rejects.toThrow();
  });

  it("stops an infinite loop at its time limit", async () => {
    await expect(run("while (true) {}", {}, { ...limits, timeoutMs: 300 })).rejects.toThrow("Code tool 'run_code' stopped after 300 ms (time limit).");
  });

  it("stops a memory bomb at its memory limit", async () => {
    // A time limit far above the bomb's (about a second), so a busy machine cannot turn it into a timeout.
    const bombLimits = { timeoutMs: 15_000, memoryBytes: 8 * 1024 * 1024 };
    await expect(run("const a = []; while (true) a.push({ x: 1, y: [1, 2, 3] });", {}, bombLimits)).rejects.toThrow(
      "Code tool 'run_code' stopped: it used more than 8 MB of memory (memory limit).",
    );
    // Near its limit QuickJS collects garbage on every allocation: this one took 38 s to fail
    // on the host's thread once. Now its thread is ended at the time limit.
    await expect(run("const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length);", {}, { timeoutMs: 500, memoryBytes: 8 * 1024 * 1024 })).rejects.toThrow(
      "Code tool 'run_code' stopped after 500 ms (time limit).",
    );
    await expect(run("let s = 'x'; for (;;) s += s;", {}, bombLimits)).rejects.toThrow(/string too long|memory/);
    // The sandbox still works after a bomb.
    await expect(run("return 1 + 1;")).resolves.toBe(2);
  });

  it("stops runaway recursion", async () => {
    await expect(run("function f() { return f() + 1; } return f();")).rejects.toThrow("Code tool 'run_code' stopped: it recursed too deeply (stack overflow).");
    await expect(run("function g(a, b, c, d, e) { return g(a, b, c, d, e) + 1; } return g(1, 2, 3, 4, 5);")).rejects.toThrow("stack overflow");
    await expect(run("return 'still fine';")).resolves.toBe("still fine");
  });

  it("insists on a JSON result of bounded size", async () => {
    await expect(run("return () => 1;")).rejects.toThrow("The code must return JSON");
    await expect(run("return Promise.resolve(1);")).rejects.toThrow("Return a value, not a Promise");
    await expect(run("const a = {}; a.self = a; return a;")).rejects.toThrow(/circular/i);
    await expect(run("return 'x'.repeat(1100000);", {}, { timeoutMs: 5_000, memoryBytes: 16 * 1024 * 1024 })).rejects.toThrow(
      "The result is over 1,000,000 characters of JSON; return less.",
    );
  });

  it("reports the code's own errors", async () => {
    await expect(run("throw new Error('bad input: ' + input.x);", { x: 7 })).rejects.toThrow("Code tool 'run_code' failed: Error: bad input: 7");
  });

  it("each call gets a fresh runtime: nothing leaks between calls", async () => {
    await run("globalThis.secret = 42; return 1;");
    await expect(run("return typeof globalThis.secret;")).resolves.toBe("undefined");
  });
});
