import { availableParallelism } from "node:os";
import type { CodeRun, CodeSandbox } from "#agents/runtime/context";
import { sandboxFailure, SandboxError } from "./errors";
import { SandboxWorker } from "./sandbox-worker";
import { sandboxWorkerEntry, type WorkerEntry } from "./worker-entry";

export type SandboxPoolOptions = {
  /** Worker threads at most (each runs one call at a time). */
  size: number;
  /** Calls one team may have running at once, so one team cannot take the whole pool. */
  perTeam: number;
  /** Calls waiting for a worker, all teams together; one more fails at once as "busy". */
  maxQueued: number;
  /** Calls one team may have waiting. */
  maxQueuedPerTeam: number;
  /** How long past its time limit a call may run before its thread is terminated. */
  graceMs: number;
  /** A worker that has not loaded QuickJS by then is given up (its call fails). */
  bootTimeoutMs: number;
  /** Each worker thread's JavaScript heap (V8 resourceLimits), beside QuickJS's own limit. */
  heapMb: number;
  entry: WorkerEntry;
};

/** Defaults from the CPU count: one core stays for the host, at least two workers, at most four. */
export function defaultSandboxPoolOptions(cores = availableParallelism()): SandboxPoolOptions {
  const size = Math.min(4, Math.max(2, cores - 1));
  const perTeam = Math.max(1, Math.floor(size / 2));
  return {
    size,
    perTeam,
    maxQueued: size * 8,
    maxQueuedPerTeam: perTeam * 4,
    graceMs: 100,
    bootTimeoutMs: 30_000,
    heapMb: 64,
    entry: sandboxWorkerEntry(),
  };
}

/** A code tool call from a team's run. */
export type TeamCodeRun = CodeRun & { teamId: string };

type Call = TeamCodeRun & {
  inputJson: string;
  resolve: (json: string) => void;
  reject: (error: SandboxError) => void;
  /** Removes the call from the queue if its run is cancelled while it waits. */
  onAbortWhileQueued?: () => void;
};

export type SandboxPoolStats = { workers: number; idle: number; running: number; queued: number; spawned: number };

/**
 * Runs code tool calls in a bounded pool of worker threads, so user code never runs on the
 * host's event loop: a call waits in a bounded queue (per team and overall) for a worker and
 * for its team's share, runs with QuickJS's memory and time limits inside the worker, and its
 * thread is terminated and replaced if it outlives the limit or exhausts the thread's heap.
 * Workers start on first use and are kept for the next calls.
 */
export class SandboxPool {
  private readonly options: SandboxPoolOptions;
  private readonly workers = new Set<SandboxWorker>();
  /** Workers without a call (possibly still booting), the most recently used last. */
  private readonly idle: SandboxWorker[] = [];
  private readonly queue: Call[] = [];
  private readonly runningByTeam = new Map<string, number>();
  private running = 0;
  private spawned = 0;
  private state: "new" | "started" | "stopped" = "new";

  constructor(options: Partial<SandboxPoolOptions> = {}) {
    this.options = { ...defaultSandboxPoolOptions(), ...options };
  }

  start(): void {
    if (this.state === "stopped") throw new Error("A stopped sandbox pool cannot start again; create a new one.");
    this.state = "started";
  }

  /** Terminates every worker; waiting and running calls fail with "shutting down". */
  async stop(): Promise<void> {
    this.state = "stopped";
    for (const call of this.queue.splice(0)) call.reject(sandboxFailure(call.toolName, call.limits, "stopped"));
    this.idle.length = 0;
    await Promise.all([...this.workers].map((w) => w.terminate()));
    this.workers.clear();
  }

  /** Resolves with the result as JSON text, or rejects with a SandboxError for the agent. */
  run(request: TeamCodeRun): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const fail = (reason: "stopped" | "busy" | "cancelled" | "code", detail?: string) =>
        reject(sandboxFailure(request.toolName, request.limits, reason, detail));
      if (!this.open) return fail("stopped");
      if (request.signal?.aborted) return fail("cancelled");
      let inputJson: string;
      try {
        inputJson = JSON.stringify(request.input ?? null);
      } catch (error) {
        return fail("code", `its arguments are not JSON (${error instanceof Error ? error.message : String(error)})`);
      }
      const call: Call = { ...request, inputJson, resolve, reject };
      if (this.canStart(request.teamId)) return void this.dispatch(call);
      if (this.queue.length >= this.options.maxQueued || this.queuedOf(request.teamId) >= this.options.maxQueuedPerTeam) return fail("busy");
      this.queue.push(call);
      call.onAbortWhileQueued = () => this.dropQueued(call);
      request.signal?.addEventListener("abort", call.onAbortWhileQueued, { once: true });
    });
  }

  /** The sandbox a run of `teamId` gets: every call counts against that team's share. */
  forTeam(teamId: string): CodeSandbox {
    return { run: (request) => this.run({ ...request, teamId }) };
  }

  /** Taking calls: started and not stopped. A getter, so TypeScript does not narrow it across awaits. */
  private get open(): boolean {
    return this.state === "started";
  }

  stats(): SandboxPoolStats {
    return { workers: this.workers.size, idle: this.idle.length, running: this.running, queued: this.queue.length, spawned: this.spawned };
  }

  private canStart(teamId: string): boolean {
    return this.running < this.options.size && (this.runningByTeam.get(teamId) ?? 0) < this.options.perTeam;
  }

  private queuedOf(teamId: string): number {
    return this.queue.reduce((n, call) => n + (call.teamId === teamId ? 1 : 0), 0);
  }

  private dropQueued(call: Call): void {
    const index = this.queue.indexOf(call);
    if (index < 0) return;
    this.queue.splice(index, 1);
    call.reject(sandboxFailure(call.toolName, call.limits, "cancelled"));
  }

  /** Starts waiting calls, oldest first, as workers and team shares allow. */
  private pump(): void {
    for (let i = 0; i < this.queue.length && this.running < this.options.size; ) {
      const call = this.queue[i] as Call;
      if (!this.canStart(call.teamId)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      if (call.onAbortWhileQueued) call.signal?.removeEventListener("abort", call.onAbortWhileQueued);
      void this.dispatch(call);
    }
  }

  private async dispatch(call: Call): Promise<void> {
    this.running += 1;
    this.runningByTeam.set(call.teamId, (this.runningByTeam.get(call.teamId) ?? 0) + 1);
    try {
      call.resolve(await this.runOnWorker(call));
    } catch (error) {
      if (error instanceof SandboxError) call.reject(error);
      else {
        console.error("The code sandbox pool failed:", error); // a bug of ours, not the user's code
        call.reject(sandboxFailure(call.toolName, call.limits, "crashed", "internal error"));
      }
    } finally {
      this.running -= 1;
      const left = (this.runningByTeam.get(call.teamId) ?? 1) - 1;
      if (left > 0) this.runningByTeam.set(call.teamId, left);
      else this.runningByTeam.delete(call.teamId);
      if (this.open) this.pump();
    }
  }

  private async runOnWorker(call: Call): Promise<string> {
    const worker = this.takeIdle() ?? this.spawn();
    try {
      await worker.ready;
    } catch {
      // Why it did not boot is in the server log (SandboxWorker reports it); the agent is told plainly.
      this.retire(worker, false);
      throw sandboxFailure(call.toolName, call.limits, !this.open ? "stopped" : "unavailable");
    }
    if (call.signal?.aborted || !this.open) {
      if (this.open) this.idle.push(worker);
      throw sandboxFailure(call.toolName, call.limits, call.signal?.aborted ? "cancelled" : "stopped");
    }
    // Cancelling a run ends its call at once: the only way to stop running code is to end the thread.
    const onAbort = () => void worker.terminate();
    call.signal?.addEventListener("abort", onAbort, { once: true });
    const end = await worker.run({ code: call.code, inputJson: call.inputJson, limits: call.limits }, this.options.graceMs).finally(() =>
      call.signal?.removeEventListener("abort", onAbort),
    );
    if (end.reusable && worker.alive && this.open) this.idle.push(worker);
    else this.retire(worker, true);
    if (end.outcome.ok) return end.outcome.json;
    const reason = !this.open ? "stopped" : call.signal?.aborted ? "cancelled" : end.outcome.reason;
    throw sandboxFailure(call.toolName, call.limits, reason, end.outcome.message);
  }

  /** An idle worker, a booted one first (the most recently used); threads that died idle are dropped. */
  private takeIdle(): SandboxWorker | undefined {
    for (const dead of this.idle.filter((w) => !w.alive)) {
      this.idle.splice(this.idle.indexOf(dead), 1);
      this.workers.delete(dead);
    }
    const warm = this.idle.findLastIndex((w) => w.warm);
    return warm >= 0 ? this.idle.splice(warm, 1)[0] : this.idle.pop();
  }

  private spawn(): SandboxWorker {
    const worker = new SandboxWorker(
      this.options.entry,
      { maxOldGenerationSizeMb: this.options.heapMb, maxYoungGenerationSizeMb: 16, codeRangeSizeMb: 16, stackSizeMb: 4 },
      this.options.bootTimeoutMs,
    );
    this.workers.add(worker);
    this.spawned += 1;
    return worker;
  }

  /** Drops a worker; one that failed a call is replaced at once, so the next call finds a warm one. */
  private retire(worker: SandboxWorker, replace: boolean): void {
    this.workers.delete(worker);
    void worker.terminate();
    if (replace && this.open && this.workers.size < this.options.size) this.idle.push(this.spawn());
  }
}
