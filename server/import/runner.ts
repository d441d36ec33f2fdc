import { ImportError, type ImportResult } from "#agents/import/index";
import { JobThread, threadEntry, type ThreadEntry } from "../worker-thread/job-thread";
import type { ImportJob, ImportOutcome } from "./protocol";

export type ImporterEntry = ThreadEntry;

/** The import worker: worker.ts from sources, import-worker.js beside the bundled host. */
export function importerWorkerEntry(moduleUrl: string = import.meta.url): ImporterEntry {
  return threadEntry(moduleUrl, "./worker.ts", "./import-worker.js");
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
 * other core). A file the importer refuses rejects with the same ImportError the importer threw.
 */
export class FlowImporter {
  private readonly thread: JobThread<ImportJob, ImportOutcome>;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;
  private waiting = 0;
  private readonly options: FlowImporterOptions;

  constructor(options: Partial<FlowImporterOptions> = {}) {
    this.options = { entry: importerWorkerEntry(), heapMb: 512, timeoutMs: 30_000, maxQueued: 16, ...options };
    this.thread = new JobThread({ name: "import", entry: this.options.entry, heapMb: this.options.heapMb, timeoutMs: this.options.timeoutMs });
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

  close(): Promise<void> {
    return this.thread.close();
  }

  private async runOne(job: ImportJob): Promise<ImportResult> {
    const end = await this.thread.run(job);
    switch (end.kind) {
      case "timeout":
        throw new ImporterRefusal("too-costly", `Reading this file took longer than ${Math.round(this.options.timeoutMs / 1000)} s; it was not imported.`);
      case "out-of-memory":
        throw new ImporterRefusal("too-costly", "Reading this file needs more memory than an import may use; it was not imported.");
      case "crashed":
        throw new Error(`Importing a file failed: ${end.message}`);
      case "done": {
        const outcome = end.outcome;
        if (outcome.ok) return outcome.result;
        if (outcome.refused) throw new ImportError(outcome.code, outcome.message, outcome.details);
        throw new Error(`Importing a file failed: ${outcome.message}`);
      }
    }
  }
}
