import { Worker, type ResourceLimits } from "node:worker_threads";
import type { SandboxOutcome } from "#agents/blocks/tool-code/sandbox.server";
import type { JobMessage, WorkerMessage } from "./protocol";
import type { WorkerEntry } from "./worker-entry";

/** How a job ended, and whether the thread can take another one. */
export type JobEnd = { outcome: SandboxOutcome; reusable: boolean };

type Pending = { id: number; resolve: (end: JobEnd) => void; timer: NodeJS.Timeout };

/**
 * One sandbox worker thread seen from the host: boots (loading QuickJS), runs one job at a
 * time, and is ended with terminate() when a job outlives its wall-clock limit. V8 stops a
 * thread even inside a long built-in call or a WebAssembly loop, which QuickJS's own
 * interrupt handler cannot. `resourceLimits` caps the thread's JavaScript heap, so a memory
 * bomb that gets past QuickJS's limit kills this thread (ERR_WORKER_OUT_OF_MEMORY), not the host.
 */
export class SandboxWorker {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private pending: Pending | null = null;
  private nextId = 1;
  private ended = false;
  private booted = false;

  constructor(entry: WorkerEntry, resourceLimits: ResourceLimits, bootTimeoutMs: number) {
    this.worker = new Worker(entry.url, { workerData: entry.workerData, resourceLimits });
    this.worker.unref();
    this.ready = new Promise<void>((resolve, reject) => {
      const bootTimer = setTimeout(() => {
        console.error(`A code sandbox worker did not start within ${bootTimeoutMs} ms; giving it up.`);
        reject(new Error(`it did not start within ${bootTimeoutMs} ms`));
        void this.terminate();
      }, bootTimeoutMs);
      bootTimer.unref();
      this.worker.on("message", (message: WorkerMessage) => {
        if (message.type === "ready") {
          clearTimeout(bootTimer);
          this.booted = true;
          resolve();
        } else if (this.pending?.id === message.id) {
          const reusable = message.outcome.ok || !["memory", "crashed"].includes(message.outcome.reason);
          this.settle({ outcome: message.outcome, reusable });
        }
      });
      this.worker.on("error", (error: Error & { code?: string }) => {
        clearTimeout(bootTimer);
        reject(error);
        if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
          this.settle({ outcome: { ok: false, reason: "memory", message: error.message }, reusable: false });
          return;
        }
        // A failure of the worker's own code, not of the user's: the details (paths, stack) go
        // to the server log, not into a tool result an API caller may read.
        console.error("A code sandbox worker failed:", error);
        this.settle({ outcome: { ok: false, reason: "crashed", message: "the worker thread failed" }, reusable: false });
      });
      this.worker.on("exit", (code) => {
        this.ended = true;
        clearTimeout(bootTimer);
        reject(new Error(`it exited with code ${code}`));
        this.settle({ outcome: { ok: false, reason: "crashed", message: `the worker exited with code ${code}` }, reusable: false });
      });
    });
    // A failed boot is reported to whoever waits for `ready`; never as an unhandled rejection.
    this.ready.catch(() => {});
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** Booted and not ended: takes a job at once. */
  get warm(): boolean {
    return this.booted && !this.ended;
  }

  /**
   * Runs a job. QuickJS interrupts plain loops itself at `job.limits.timeoutMs`; the thread is
   * terminated `graceMs` later if the job is still running (a long built-in call).
   */
  run(job: Omit<JobMessage, "id">, graceMs: number): Promise<JobEnd> {
    if (this.pending) throw new Error("A sandbox worker runs one job at a time.");
    if (this.ended) return Promise.resolve({ outcome: { ok: false, reason: "crashed", message: "the worker had ended" }, reusable: false });
    const id = this.nextId++;
    this.worker.ref(); // a job in flight keeps the process alive until it ends
    return new Promise<JobEnd>((resolve) => {
      const timer = setTimeout(() => {
        this.settle({ outcome: { ok: false, reason: "timeout", message: "terminated at the time limit" }, reusable: false });
        void this.terminate();
      }, job.limits.timeoutMs + graceMs);
      this.pending = { id, resolve, timer };
      this.worker.postMessage({ ...job, id } satisfies JobMessage);
    });
  }

  /** Ends the thread at once; a job in flight ends as "crashed" unless already settled. */
  async terminate(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.worker.terminate();
  }

  private settle(end: JobEnd): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    this.worker.unref();
    pending.resolve(end);
  }
}
