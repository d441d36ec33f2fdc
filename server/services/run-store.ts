import type Database from "better-sqlite3";
import type { HotStatements } from "#db/hot-statements";
import type { BilledUsage } from "../billing/metering";
import { writePosting, type Posting, type SettlementWriters } from "./run-settlement";

/** A run as the store writes it (run-recorder.ts). */
export interface StoredRun {
  readonly runId: string;
  /** Inside a transaction: the pending rows, and with `settle` the run's settlement. */
  writeTo(writers: SettlementWriters, settle: boolean): void;
  /** Marks what is written now; the function puts the marks back after a rollback. */
  checkpoint(): () => void;
  /** Drops the run's references to a deleted flow and agent; false when it had none. */
  detach(): boolean;
}

/** How failed settlements are retried: delays doubling from the first to the longest, then given up. */
export type RetryPolicy = { firstDelayMs: number; maxDelayMs: number; maxAttempts: number };
/** About four minutes of retries (250 ms, 500 ms, … 30 s): a full disk or a held lock has time to clear. */
export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 250, maxDelayMs: 30_000, maxAttempts: 14 };

/** How run storage is doing, for /healthz. */
export type RunStorageHealth = {
  /** Finished runs whose storage failed, waiting for their next attempt. */
  waiting: number;
  /** Finished runs given up after every attempt failed, since the start. */
  lost: number;
  lastError: { message: string; at: string } | null;
};

/** The flow (or agent) a run refers to was deleted while the run went on. */
function isForeignKeyError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}

/**
 * Writes runs for one running Skyloom: a followed run's progress as it happens, and each
 * finished run's settlement (run-settlement.ts) in a transaction, shared with the runs that
 * finished in the same turn of the event loop (group commit, each run in a savepoint of its
 * own so one run that cannot be stored does not take the others with it).
 *
 * A settlement that fails is kept and retried with growing delays; while runs wait, /healthz
 * says "degraded" with their count and the last error. After the last attempt a run is given
 * up (counted as lost, and logged).
 *
 * Billed usage is collected while the runs are written and handed to billing once, at the end of
 * the transaction that settles them: the runs of a group share their ledger entry (ADR 033). A run
 * whose savepoint is rolled back takes its usage with it.
 */
export class RunStore {
  private readonly finishedThisTurn: StoredRun[] = [];
  private readonly waiting = new Map<StoredRun, { attempts: number; timer: NodeJS.Timeout }>();
  private lost = 0;
  private stopped = false;
  private lastError: RunStorageHealth["lastError"] = null;
  private readonly writeOne: (run: StoredRun, settle: boolean) => void;
  private readonly writeGroup: (runs: readonly StoredRun[], failed: [StoredRun, unknown][]) => void;
  private readonly postOnItsOwn: (posting: Posting) => void;

  constructor(
    sqlite: Database.Database,
    statements: HotStatements,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    /** Billing's usage posting, in the transaction that settles the runs (absent: nothing billed). */
    billUsage?: (usages: readonly BilledUsage[]) => void,
  ) {
    // The usage of the runs written in the transaction under way, not yet posted.
    const billed: BilledUsage[] = [];
    let grouping = false;
    const postBilled = () => {
      if (billed.length > 0) billUsage?.(billed.splice(0));
    };
    const writers: SettlementWriters = { statements, billUsage: billUsage && ((usage) => billed.push(usage)) };
    const writeInTransaction = sqlite.transaction((run: StoredRun, settle: boolean) => {
      const before = billed.length;
      try {
        run.writeTo(writers, settle);
      } catch (error) {
        billed.length = before;
        throw error;
      }
      if (!grouping) postBilled();
    });
    this.writeOne = (run, settle) => this.attempt(run, () => writeInTransaction(run, settle));
    // Nested in writeGroup's transaction, writeOne's transaction becomes a savepoint.
    this.writeGroup = sqlite.transaction((runs: readonly StoredRun[], failed: [StoredRun, unknown][]) => {
      billed.length = 0;
      grouping = true;
      try {
        for (const run of runs) {
          try {
            this.writeOne(run, true);
          } catch (error) {
            failed.push([run, error]);
          }
        }
      } finally {
        grouping = false;
      }
      postBilled();
    });
    this.postOnItsOwn = sqlite.transaction((posting: Posting) => {
      billed.length = 0;
      writePosting(writers, posting);
      postBilled();
    });
  }

  /** A followed run's progress, now. A failure is noted; the settlement writes what is missing. */
  writeProgress(run: StoredRun): void {
    if (this.stopped) return;
    try {
      this.writeOne(run, false);
    } catch (error) {
      this.noteError(error);
      console.error(`Run ${run.runId}: could not store its trace so far (its settlement will):`, error);
    }
  }

  /** A finished run: settled at once, or with the runs that finish in this turn (group commit). */
  settle(run: StoredRun, when: "now" | "with-this-turn"): void {
    if (this.stopped) {
      // A run that outlived the host's stop (its block ignored the cancel): the database is closed.
      this.giveUp(run, 0, new Error("The host stopped before this run finished."));
      return;
    }
    if (when === "now") {
      this.settleOrRetry(run);
      return;
    }
    this.finishedThisTurn.push(run);
    if (this.finishedThisTurn.length === 1) setImmediate(() => this.storeFinished());
  }

  /** Settles the runs waiting for their group commit (before anything reads runs from the database). */
  storeFinished(): void {
    if (this.finishedThisTurn.length === 0) return;
    const group = this.finishedThisTurn.splice(0);
    const restores = group.map((run) => run.checkpoint());
    const failed: [StoredRun, unknown][] = [];
    try {
      this.writeGroup(group, failed);
    } catch (error) {
      // The commit itself failed: nothing of the group is stored.
      for (const restore of restores) restore();
      for (const run of group) this.retryLater(run, error);
      return;
    }
    for (const [run, error] of failed) this.retryLater(run, error);
  }

  /** A gateway request that never got a run (refused, or failed before it started): its usage alone. */
  postWithoutRun(posting: Posting): void {
    this.postOnItsOwn(posting);
  }

  health(): RunStorageHealth {
    return { waiting: this.waiting.size, lost: this.lost, lastError: this.lastError };
  }

  /** The host is stopping: settle what is pending, try the waiting runs once more, give up the rest. */
  stop(): void {
    this.stopped = true;
    this.storeFinished();
    for (const [run, entry] of [...this.waiting]) {
      clearTimeout(entry.timer);
      this.waiting.delete(run);
      try {
        this.writeOne(run, true);
      } catch (error) {
        this.giveUp(run, entry.attempts + 1, error);
      }
    }
  }

  /**
   * Runs one transaction of a run's writes. When it is refused because the run's flow (or its
   * published agent) was deleted while the run went on, the run is stored as the deletion
   * would have left it: no link to the flow or agent, its own copy of the graph.
   */
  private attempt(run: StoredRun, write: () => void): void {
    const restore = run.checkpoint();
    try {
      write();
    } catch (error) {
      // A refused transaction is rolled back: what it marked as written is not.
      restore();
      if (!isForeignKeyError(error) || !run.detach()) throw error;
      try {
        write();
      } catch (again) {
        restore();
        throw again;
      }
    }
  }

  private settleOrRetry(run: StoredRun): void {
    try {
      this.writeOne(run, true);
      this.waiting.delete(run);
    } catch (error) {
      this.retryLater(run, error);
    }
  }

  private retryLater(run: StoredRun, error: unknown): void {
    this.noteError(error);
    const attempts = (this.waiting.get(run)?.attempts ?? 0) + 1;
    if (attempts >= this.retry.maxAttempts || this.stopped) {
      this.waiting.delete(run);
      this.giveUp(run, attempts, error);
      return;
    }
    const delay = Math.min(this.retry.maxDelayMs, this.retry.firstDelayMs * 2 ** (attempts - 1));
    console.error(`Could not store run ${run.runId} (attempt ${attempts}); trying again in ${delay} ms:`, error);
    // unref: a stopping host settles waiting runs in stop(), not on this timer.
    this.waiting.set(run, { attempts, timer: setTimeout(() => this.settleOrRetry(run), delay).unref() });
  }

  private giveUp(run: StoredRun, attempts: number, error: unknown): void {
    this.lost += 1;
    this.noteError(error);
    console.error(`Run ${run.runId} is lost: it could not be stored after ${attempts} attempts:`, error);
  }

  private noteError(error: unknown): void {
    this.lastError = { message: error instanceof Error ? error.message : String(error), at: new Date().toISOString() };
  }
}
