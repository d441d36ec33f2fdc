import { afterEach, describe, expect, it } from "vitest";
import type { SandboxLimits } from "#agents/runtime/context";
import { SandboxPool, type SandboxPoolOptions } from "#server/sandbox/pool";

/**
 * The code tools' worker pool, with real worker threads running QuickJS. Calls that should
 * succeed get generous time limits, so a busy machine cannot turn them into timeouts.
 */
const MB = 1024 * 1024;
const generous: SandboxLimits = { timeoutMs: 10_000, memoryBytes: 16 * MB };
/** One call of String.prototype.indexOf: a naive search that takes minutes inside QuickJS, with no interrupt check. */
const LONG_BUILTIN = "const h = 'a'.repeat(2e5); return h.indexOf('a'.repeat(1e5) + 'b');";

const pools: SandboxPool[] = [];
function startPool(options: Partial<SandboxPoolOptions> = {}): SandboxPool {
  const pool = new SandboxPool(options);
  pool.start();
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.stop()));
});

function call(pool: SandboxPool, teamId: string, code: string, limits = generous, signal?: AbortSignal): Promise<string> {
  return pool.run({ teamId, toolName: "probe", code, input: { value: 21 }, limits, ...(signal ? { signal } : {}) });
}

/** Tracks whether a promise has settled, without letting its rejection go unhandled. */
function watch<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { promise, settled: () => settled };
}

describe("time limits", () => {
  it("stops an infinite loop at its limit, and the pool goes on", async () => {
    const pool = startPool({ size: 1 });
    await expect(call(pool, "team_a", "while (true) {}", { ...generous, timeoutMs: 500 })).rejects.toThrow(
      "Code tool 'probe' stopped after 500 ms (time limit).",
    );
    await expect(call(pool, "team_a", "return { doubled: input.value * 2 };")).resolves.toBe('{"doubled":42}');
  });

  it("stops back-to-back built-ins and a single long built-in call by ending the thread, and replaces it", async () => {
    const pool = startPool({ size: 1 });
    await expect(call(pool, "team_a", "for (;;) { JSON.stringify(new Array(1e5).fill(1)); }", { ...generous, timeoutMs: 500 })).rejects.toThrow(
      "Code tool 'probe' stopped after 500 ms (time limit).",
    );
    const spawned = pool.stats().spawned;
    // Without the worker's termination this one call would run for minutes (and time the test out).
    await expect(call(pool, "team_a", LONG_BUILTIN, { ...generous, timeoutMs: 500 })).rejects.toThrow(
      "Code tool 'probe' stopped after 500 ms (time limit).",
    );
    expect(pool.stats().spawned).toBe(spawned + 1);
    await expect(call(pool, "team_a", "return input.value + 1;")).resolves.toBe("22");
  });

  it("keeps the host's event loop responsive while a tool is stuck in a long built-in call", async () => {
    const pool = startPool({ size: 1 });
    await call(pool, "team_a", "return 1;"); // boot the worker first: only the stuck call is measured
    const limitMs = 2_000;
    let worstLagMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worstLagMs = Math.max(worstLagMs, now - last - 10);
      last = now;
    }, 10);
    try {
      await expect(call(pool, "team_a", LONG_BUILTIN, { ...generous, timeoutMs: limitMs })).rejects.toThrow("(time limit)");
    } finally {
      clearInterval(ticker);
    }
    // On the host's thread the call would block it for the whole limit and beyond; a timer 10 ms
    // apart must keep firing. Half the limit leaves a wide margin for a busy machine.
    expect(worstLagMs).toBeLessThan(limitMs / 2);
  });
});

describe("memory limits", () => {
  it("stops a memory bomb at QuickJS's limit, replaces the worker, and the next call works", async () => {
    const pool = startPool({ size: 1 });
    await call(pool, "team_a", "return 1;");
    const spawned = pool.stats().spawned;
    await expect(
      call(pool, "team_a", "const a = []; while (true) a.push({ x: 1, y: [1, 2, 3] });", { timeoutMs: 15_000, memoryBytes: 8 * MB }),
    ).rejects.toThrow("Code tool 'probe' stopped: it used more than 8 MB of memory (memory limit).");
    expect(pool.stats().spawned).toBe(spawned + 1);
    await expect(call(pool, "team_a", "return 'after the bomb';")).resolves.toBe('"after the bomb"');
  });

  it("a thread that exhausts its own heap limit dies alone and is replaced", async () => {
    // A stand-in worker that fills its JavaScript heap on the job "hog" (QuickJS code cannot).
    const entry = { url: new URL("../../fixtures/sandbox/heap-hog-worker.mjs", import.meta.url) };
    const pool = startPool({ size: 1, heapMb: 32, entry });
    await expect(call(pool, "team_a", "hog")).rejects.toThrow("Code tool 'probe' stopped: it used more than 16 MB of memory (memory limit).");
    await expect(call(pool, "team_a", "still here")).resolves.toBe('"still here"');
    expect(pool.stats()).toMatchObject({ workers: 1, spawned: 2 });
  });
});

describe("sharing the pool", () => {
  it("runs at most `perTeam` calls of one team at once, so another team still gets a worker", async () => {
    const pool = startPool({ size: 2, perTeam: 1, maxQueued: 4, maxQueuedPerTeam: 1 });
    await Promise.all([call(pool, "team_a", "return 1;"), call(pool, "team_b", "return 2;")]); // two warm workers
    const stuck = watch(call(pool, "team_a", "while (true) {}", { ...generous, timeoutMs: 4_000 }));
    const waiting = call(pool, "team_a", "return 'a2';");
    expect(pool.stats()).toMatchObject({ running: 1, queued: 1 });
    await expect(call(pool, "team_a", "return 'a3';")).rejects.toThrow("Code tool 'probe' did not run: the code sandbox is busy; try again.");

    await expect(call(pool, "team_b", "return 'b';")).resolves.toBe('"b"');
    expect(stuck.settled()).toBe(false);
    await expect(stuck.promise).rejects.toThrow("stopped after 4000 ms");
    await expect(waiting).resolves.toBe('"a2"');
  });

  it("fails fast with a clear error when the queue is full", async () => {
    const pool = startPool({ size: 1, perTeam: 1, maxQueued: 1, maxQueuedPerTeam: 1 });
    const running = call(pool, "team_a", "while (true) {}", { ...generous, timeoutMs: 1_000 });
    const queued = call(pool, "team_b", "return 'b';");
    await expect(call(pool, "team_c", "return 'c';")).rejects.toThrow("Code tool 'probe' did not run: the code sandbox is busy; try again.");
    await expect(running).rejects.toThrow("(time limit)");
    await expect(queued).resolves.toBe('"b"');
  });
});

describe("lifecycle", () => {
  it("cancelling a run ends its waiting and its running call", async () => {
    const pool = startPool({ size: 1 });
    const running = new AbortController();
    const waiting = new AbortController();
    const stuck = call(pool, "team_a", LONG_BUILTIN, { ...generous, timeoutMs: 60_000 }, running.signal);
    const queued = call(pool, "team_b", "return 1;", generous, waiting.signal);
    waiting.abort();
    await expect(queued).rejects.toThrow("Code tool 'probe' was cancelled with its run.");
    running.abort();
    await expect(stuck).rejects.toThrow("Code tool 'probe' was cancelled with its run.");
    await expect(call(pool, "team_a", "return 'next';")).resolves.toBe('"next"');
  });

  it("stop() terminates the workers and fails running, waiting and later calls", async () => {
    const pool = startPool({ size: 1 });
    await call(pool, "team_a", "return 1;");
    const stuck = expect(call(pool, "team_a", LONG_BUILTIN, { ...generous, timeoutMs: 60_000 })).rejects.toThrow(
      "Code tool 'probe' stopped: the server is shutting down.",
    );
    const queued = expect(call(pool, "team_b", "return 1;")).rejects.toThrow("the server is shutting down");
    await pool.stop();
    await stuck;
    await queued;
    await expect(call(pool, "team_a", "return 1;")).rejects.toThrow("the server is shutting down");
    expect(pool.stats()).toMatchObject({ workers: 0, running: 0, queued: 0 });
  });
});
