import { Worker } from "node:worker_threads";
import { UnsupportedDocumentError } from "./formats";
import type { ParseJob, ParseOutcome, ParseWorkerMessage } from "./parse-protocol";

export type ParserEntry = { url: URL; workerData?: unknown };

/**
 * From TypeScript sources (vitest, tsx) the worker is parse-worker.ts, loaded through the
 * sandbox's dev-worker.mjs (which loads tsx in the thread). In the bundled host this module is
 * inlined into build/host/main.js and the worker is its sibling knowledge-parse-worker.js.
 */
export function parserWorkerEntry(moduleUrl: string = import.meta.url): ParserEntry {
  if (moduleUrl.endsWith(".ts")) {
    return { url: new URL("../sandbox/dev-worker.mjs", moduleUrl), workerData: { entry: new URL("./parse-worker.ts", moduleUrl).href } };
  }
  return { url: new URL("./knowledge-parse-worker.js", moduleUrl) };
}

export type DocumentParserOptions = {
  entry: ParserEntry;
  /** The worker thread's JavaScript heap: a file that needs more ends the thread, not the host. */
  heapMb: number;
  timeoutMs: number;
  /** Documents waiting for the thread (all teams); one more is refused as busy. */
  maxQueued: number;
};

/** Too many documents are waiting to be parsed. */
export class ParserBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParserBusyError";
  }
}

/**
 * Parses documents in one worker thread, one at a time (the host keeps the other core). The
 * thread is started on first use and kept; a job that runs out of time or memory ends the
 * thread, fails with a message for the uploader, and the next job starts a new one.
 */
export class DocumentParser {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;
  private waiting = 0;
  private closed = false;
  private readonly options: DocumentParserOptions;

  constructor(options: Partial<DocumentParserOptions> = {}) {
    this.options = { entry: parserWorkerEntry(), heapMb: 768, timeoutMs: 120_000, maxQueued: 32, ...options };
  }

  /** Parses and splits; rejects with UnsupportedDocumentError when the file is at fault. */
  parse(job: Omit<ParseJob, "id">, onChunking?: () => void): Promise<Extract<ParseOutcome, { ok: true }>> {
    if (this.waiting >= this.options.maxQueued) {
      return Promise.reject(new ParserBusyError("Skyloom is parsing many documents right now; try again in a minute."));
    }
    this.waiting += 1;
    const run = this.queue.then(() => this.runOne({ ...job, id: ++this.nextId }, onChunking)).finally(() => {
      this.waiting -= 1;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopWorker();
  }

  private start(): { worker: Worker; ready: Promise<void> } {
    if (this.worker && this.ready) return { worker: this.worker, ready: this.ready };
    const worker = new Worker(this.options.entry.url, {
      workerData: this.options.entry.workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: ParseWorkerMessage) => {
        if (message.type !== "ready") return;
        worker.off("message", onMessage);
        resolve();
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the parser thread exited with code ${code} while starting`)));
    });
    ready.catch(() => undefined);
    worker.once("exit", () => {
      if (this.worker === worker) {
        this.worker = null;
        this.ready = null;
      }
    });
    this.worker = worker;
    this.ready = ready;
    return { worker, ready };
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    if (worker) await worker.terminate();
  }

  private async runOne(job: ParseJob, onChunking?: () => void): Promise<Extract<ParseOutcome, { ok: true }>> {
    if (this.closed) throw new Error("The document parser has stopped.");
    const { worker, ready } = this.start();
    await ready;
    const outcome = await new Promise<ParseOutcome>((resolve) => {
      const cleanup = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("exit", onExit);
        worker.off("error", onError);
      };
      const onMessage = (message: ParseWorkerMessage) => {
        if (message.type === "chunking" && message.id === job.id) onChunking?.();
        if (message.type !== "done" || message.id !== job.id) return;
        cleanup();
        resolve(message.outcome);
      };
      const onError = (error: Error) => {
        cleanup();
        const memory = /memory/i.test(error.message) || (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
        resolve(
          memory
            ? { ok: false, refused: true, message: `${job.name} needs more memory to parse than a document may use; split it into smaller files.` }
            : { ok: false, refused: false, message: error.message },
        );
      };
      const onExit = (code: number) => {
        cleanup();
        resolve({ ok: false, refused: false, message: `the parser thread exited with code ${code}` });
      };
      const timer = setTimeout(() => {
        cleanup();
        void this.stopWorker();
        resolve({ ok: false, refused: true, message: `${job.name} took longer than ${Math.round(this.options.timeoutMs / 1000)} s to parse; split it into smaller files.` });
      }, this.options.timeoutMs);
      worker.on("message", onMessage);
      worker.once("exit", onExit);
      worker.once("error", onError);
      // A copy, not a transfer: the caller keeps its bytes (they are stored for re-indexing).
      worker.postMessage(job);
    });
    if (outcome.ok) return outcome;
    if (outcome.refused) throw new UnsupportedDocumentError(outcome.message);
    throw new Error(`Parsing ${job.name} failed: ${outcome.message}`);
  }
}
