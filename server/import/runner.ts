import { Worker } from "node:worker_threads";
import { ImportError, type ImportResult } from "#agents/import/index";
import type { ImportJob, ImportOutcome, ImportWorkerMessage } from "./protocol";

export type ImporterEntry = { url: URL; workerData?: unknown };

/**
 * From TypeScript sources (vitest, tsx) the worker is worker.ts, loaded through the sandbox's
 * dev-worker.mjs (which loads tsx in the thread). In the bundled host this module is inlined
 * into build/host/main.js and the worker is its sibling import-worker.js.
 */
export function importerWorkerEntry(moduleUrl: string = import.meta.url): ImporterEntry {
  if (moduleUrl.endsWith(".ts")) {
    return { url: new URL("../sandbox/dev-worker.mjs", moduleUrl), workerData: { entry: new URL("./worker.ts", moduleUrl).href } };
  }
  return { url: new URL("./import-worker.js", moduleUrl) };
}

export type FlowImporterOptions = {
  entry: ImporterEntry;
  /** The thread's JavaScript heap: a file that needs more ends the thread, not the host. */
  heapMb: number;
  timeoutMs: number;
  /** Files waiting for the thread (all teams); one more is refused as busy. */
  maxQueued: number;
};

/** An import the thread would not finish: too many waiting ("busy"), or a file too slow or too big to read ("too-costly"). */
export class ImporterRefusal extends Error {
  override name = "ImporterRefusal";
  constructor(
    readonly kind: "busy" | "too-costly",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs the kernel's importers in one worker thread, one file at a time (the host keeps the
 * other core). The thread starts on first use and is kept; a file that runs out of time or
 * memory ends the thread and the next file starts a new one. A file the importer refuses
 * rejects with the same ImportError the importer threw.
 */
export class FlowImporter {
  private worker: { thread: Worker; ready: Promise<void> } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;
  private waiting = 0;
  private closed = false;
  private readonly options: FlowImporterOptions;

  constructor(options: Partial<FlowImporterOptions> = {}) {
    this.options = { entry: importerWorkerEntry(), heapMb: 512, timeoutMs: 30_000, maxQueued: 16, ...options };
  }

  import(text: string, fileName?: string): Promise<ImportResult> {
    if (this.waiting >= this.options.maxQueued) {
      return Promise.reject(new ImporterRefusal("busy", "Skyloom is importing many files right now; try again in a minute."));
    }
    this.waiting += 1;
    const job: ImportJob = { id: ++this.nextId, text, ...(fileName !== undefined ? { fileName } : {}) };
    const run = this.queue.then(() => this.runOne(job)).finally(() => {
      this.waiting -= 1;
    });
    this.queue = run.catch(() => undefined);
    return run;
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
      const onMessage = (message: ImportWorkerMessage) => {
        if (message.type !== "ready") return;
        thread.off("message", onMessage);
        resolve();
      };
      thread.on("message", onMessage);
      thread.once("error", reject);
      thread.once("exit", (code) => reject(new Error(`the import thread exited with code ${code} while starting`)));
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

  private async runOne(job: ImportJob): Promise<ImportResult> {
    if (this.closed) throw new Error("The flow importer has stopped.");
    const { thread, ready } = this.start();
    await ready;
    const outcome = await new Promise<ImportOutcome>((resolve) => {
      const cleanup = () => {
        clearTimeout(timer);
        thread.off("message", onMessage);
        thread.off("exit", onExit);
        thread.off("error", onError);
      };
      const onMessage = (message: ImportWorkerMessage) => {
        if (message.type !== "done" || message.id !== job.id) return;
        cleanup();
        resolve(message.outcome);
      };
      const onError = (error: Error) => {
        cleanup();
        const memory = /memory/i.test(error.message) || (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
        resolve({ ok: false, refused: false, message: memory ? "out of memory" : error.message });
      };
      const onExit = (code: number) => {
        cleanup();
        resolve({ ok: false, refused: false, message: `the import thread exited with code ${code}` });
      };
      const timer = setTimeout(() => {
        cleanup();
        void this.stopWorker();
        resolve({ ok: false, refused: false, message: "timeout" });
      }, this.options.timeoutMs);
      thread.on("message", onMessage);
      thread.once("exit", onExit);
      thread.once("error", onError);
      thread.postMessage(job);
    });
    if (outcome.ok) return outcome.result;
    if (outcome.refused) throw new ImportError(outcome.code, outcome.message, outcome.details);
    if (outcome.message === "timeout") throw new ImporterRefusal("too-costly", `Reading this file took longer than ${Math.round(this.options.timeoutMs / 1000)} s; it was not imported.`);
    if (outcome.message === "out of memory") throw new ImporterRefusal("too-costly", "Reading this file needs more memory than an import may use; it was not imported.");
    throw new Error(`Importing a file failed: ${outcome.message}`);
  }
}
