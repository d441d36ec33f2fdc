import { JobThread, threadEntry, type ThreadEntry } from "../worker-thread/job-thread";
import { UnsupportedDocumentError } from "./formats";
import type { ParseJob, ParseOutcome } from "./parse-protocol";
import { RoundRobin } from "./round-robin";

export type ParserEntry = ThreadEntry;

/** The parser worker: parse-worker.ts from sources, knowledge-parse-worker.js beside the bundled host. */
export function parserWorkerEntry(moduleUrl: string = import.meta.url): ParserEntry {
  return threadEntry(moduleUrl, "./parse-worker.ts", "./knowledge-parse-worker.js");
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
 * the waiting documents one team at a time in turn (round robin). A job that runs out of time
 * or memory fails with a message for the uploader.
 */
export class DocumentParser {
  private readonly thread: JobThread<ParseJob, ParseOutcome>;
  private readonly waiting = new RoundRobin<Waiting>();
  /** The team whose document is in the thread now (null: none): it counts as waiting too. */
  private parsing: string | null = null;
  private nextId = 0;
  private readonly options: DocumentParserOptions;

  constructor(options: Partial<DocumentParserOptions> = {}) {
    this.options = { entry: parserWorkerEntry(), heapMb: 768, timeoutMs: 120_000, maxQueued: 64, maxQueuedPerTeam: 32, ...options };
    this.thread = new JobThread({ name: "parser", entry: this.options.entry, heapMb: this.options.heapMb, timeoutMs: this.options.timeoutMs });
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

  close(): Promise<void> {
    return this.thread.close();
  }

  private async runOne(job: ParseJob, onChunking?: () => void): Promise<Extract<ParseOutcome, { ok: true }>> {
    const end = await this.thread.run(job, (message) => {
      if (message.type === "chunking") onChunking?.();
    });
    switch (end.kind) {
      case "timeout":
        throw new UnsupportedDocumentError(`${job.name} took longer than ${Math.round(this.options.timeoutMs / 1000)} s to parse; split it into smaller files.`);
      case "out-of-memory":
        throw new UnsupportedDocumentError(`${job.name} needs more memory to parse than a document may use; split it into smaller files.`);
      case "crashed":
        throw new Error(`Parsing ${job.name} failed: ${end.message}`);
      case "done":
        if (end.outcome.ok) return end.outcome;
        if (end.outcome.refused) throw new UnsupportedDocumentError(end.outcome.message);
        throw new Error(`Parsing ${job.name} failed: ${end.outcome.message}`);
    }
  }
}
