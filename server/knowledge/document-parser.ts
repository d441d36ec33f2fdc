import { Worker } from "node:worker_threads";
import { UnsupportedDocumentError } from "./formats";
import type { ParseJob, ParseOutcome, ParseWorkerMessage } from "./parse-protocol";
import { RoundRobin } from "./round-robin";

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
  /** Documents one team may have waiting, so one team cannot fill the queue for everyone. */
  maxQueuedPerTeam: number;
};

type Waiting = { team: string; job: ParseJob; onChunking: (() => void) | undefined; resolve(outcome: Extract<ParseOutcome, { ok: true }>): void; reject(error: unknown): void };

/** Too many documents are waiting to be parsed. */
export class ParserBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParserBusyError";
  }
}

/**
 * Parses documents in one worker thread, one at a time (the host keeps the other core), taking
 * the waiting documents one team at a time in turn (round robin). The thread is started on
 * first use and kept; a job that runs out of time or memory ends the
 * thread, fails with a message for the uploader, and the next job starts a new one.
 */
export class DocumentParser {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private readonly waiting = new RoundRobin<Waiting>();
  /** The team whose document is in the thread now (null: none): it counts as waiting too. */
  private parsing: string | null = null;
  private nextId = 0;
  private closed = false;
  private readonly options: DocumentParserOptions;

  constructor(options: Partial<DocumentParserOptions> = {}) {
    this.options = { entry: parserWorkerEntry(), heapMb: 768, timeoutMs: 120_000, maxQueued: 64, maxQueuedPerTeam: 32, ...options };
  }

  /** Parses and splits for `team`; rejects with UnsupportedDocumentError when the file is at fault. */
  parse(job: Omit<ParseJob, "id">, onChunking?: () => void, team = ""): Promise<Extract<ParseOutcome, { ok: true }>> {
    const inThread = this.parsing === null ? 0 : 1;
    if (this.waiting.sizeOf(team) + (this.parsing === team ? 1 : 0) >= this.options.maxQueuedPerTeam) {
      return Promise.reject(new ParserBusyError(`Your team has ${this.options.maxQueuedPerTeam} documents waiting to be parsed; add more when some are done.`));
    }
    if (this.waiting.size + inThread >= this.options.maxQueued) {
      return Promise.reject(new ParserBusyError("Skyloom is parsing many documents right now; try again in a minute."));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push(team, { team, job: { ...job, id: ++this.nextId }, onChunking, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.parsing !== null) return;
    const next = this.waiting.shift();
    if (!next) return;
    this.parsing = next.team;
    this.runOne(next.job, next.onChunking)
      .then(next.resolve, next.reject)
      .finally(() => {
        this.parsing = null;
        this.pump();
      });
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
