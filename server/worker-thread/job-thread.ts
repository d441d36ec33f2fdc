import { Worker } from "node:worker_threads";

/** Where a worker thread's code is: a URL, and what the dev loader needs to find the TypeScript entry. */
export type ThreadEntry = { url: URL; workerData?: unknown };

/**
 * From TypeScript sources (vitest, tsx) a worker is its .ts file, loaded through the sandbox's
 * dev-worker.mjs (which loads tsx in the thread). In the bundled host the calling module is
 * inlined into build/host/main.js and the worker is its sibling `bundledName`.
 */
export function threadEntry(callerUrl: string, sourceName: string, bundledName: string): ThreadEntry {
  if (callerUrl.endsWith(".ts")) {
    return { url: new URL("../sandbox/dev-worker.mjs", callerUrl), workerData: { entry: new URL(sourceName, callerUrl).href } };
  }
  return { url: new URL(bundledName, callerUrl) };
}

/** The messages every job thread sends: "ready" once, then "done" per job; others are progress. */
export type JobThreadMessage<Outcome> = { type: "ready" } | { type: "done"; id: number; outcome: Outcome } | { type: string; id?: number };

/** How a job ended, seen from the host: its outcome, or the thread failed it. */
export type JobEnd<Outcome> =
  | { kind: "done"; outcome: Outcome }
  | { kind: "timeout" }
  | { kind: "out-of-memory" }
  /** The thread threw or exited: a bug of ours, with its message. */
  | { kind: "crashed"; message: string };

export type JobThreadOptions = {
  entry: ThreadEntry;
  /** What the thread is called in messages ("import", "parser"). */
  name: string;
  /** The thread's JavaScript heap: a job that needs more ends the thread, not the host. */
  heapMb: number;
  timeoutMs: number;
};

/**
 * One worker thread that runs one job at a time (the callers queue). It starts on first use and
 * is kept; a job that runs out of time or memory ends the thread and the next job starts a new
 * one. Callers map a JobEnd to their own errors.
 */
export class JobThread<Job extends { id: number }, Outcome> {
  private worker: { thread: Worker; ready: Promise<void> } | null = null;
  private closed = false;

  constructor(private readonly options: JobThreadOptions) {}

  /** Runs `job`; `onMessage` sees the thread's other messages about it (progress). */
  async run(job: Job, onMessage?: (message: JobThreadMessage<Outcome>) => void): Promise<JobEnd<Outcome>> {
    if (this.closed) throw new Error(`The ${this.options.name} thread has stopped.`);
    const { thread, ready } = this.start();
    await ready;
    return new Promise<JobEnd<Outcome>>((resolve) => {
      const finish = (end: JobEnd<Outcome>) => {
        clearTimeout(timer);
        thread.off("message", onThreadMessage);
        thread.off("exit", onExit);
        thread.off("error", onError);
        resolve(end);
      };
      const onThreadMessage = (message: JobThreadMessage<Outcome>) => {
        if (!("id" in message) || message.id !== job.id) return;
        if (message.type === "done" && "outcome" in message) finish({ kind: "done", outcome: message.outcome });
        else onMessage?.(message);
      };
      const onError = (error: Error) => {
        const memory = /memory/i.test(error.message) || (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
        finish(memory ? { kind: "out-of-memory" } : { kind: "crashed", message: error.message });
      };
      const onExit = (code: number) => finish({ kind: "crashed", message: `the ${this.options.name} thread exited with code ${code}` });
      const timer = setTimeout(() => {
        void this.stopWorker();
        finish({ kind: "timeout" });
      }, this.options.timeoutMs);
      thread.on("message", onThreadMessage);
      thread.once("exit", onExit);
      thread.once("error", onError);
      // A copy, not a transfer: callers may keep what they sent (documents are stored for re-indexing).
      thread.postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopWorker();
  }

  private start(): { thread: Worker; ready: Promise<void> } {
    if (this.worker) return this.worker;
    const thread = new Worker(this.options.entry.url, {
      workerData: this.options.entry.workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    thread.unref();
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: JobThreadMessage<Outcome>) => {
        if (message.type !== "ready") return;
        thread.off("message", onMessage);
        resolve();
      };
      thread.on("message", onMessage);
      thread.once("error", reject);
      thread.once("exit", (code) => reject(new Error(`the ${this.options.name} thread exited with code ${code} while starting`)));
    });
    ready.catch(() => undefined);
    const worker = { thread, ready };
    thread.once("exit", () => {
      if (this.worker === worker) this.worker = null;
    });
    this.worker = worker;
    return worker;
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.thread.terminate();
  }
}
