import type { NodeErrorEvent, NodeOutputEvent, RunEvent, RunFinishEvent } from "#agents/runtime/events";
import { writeRun, type RunHeader, type SettlementWriters, type StepRow } from "./run-settlement";
import type { RunStore, StoredRun } from "./run-store";

/**
 * One run's record: fed every event of the run, it keeps the run's rows in memory and has the
 * run store write them.
 *
 * They are written behind (docs/decisions/005): when the run finishes, in one transaction
 * shared with the other runs that finished in the same turn of the event loop (group commit).
 * A short run (a gateway request takes a few milliseconds) thus costs a share of one commit
 * instead of one commit per event, which was a third of the gateway's CPU. Whoever reads runs
 * still sees them as they happen: the runs service has pending rows written before it reads,
 * and once somebody follows a run (the run page, the test chat) or the run has lasted
 * WRITE_BEHIND_MS, its every change is written at once.
 */
export const WRITE_BEHIND_MS = 250;

const jsonOrNull = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

type StepEnd = Pick<StepRow, "status" | "outputs" | "detail" | "error" | "finishedAt" | "durationMs">;

function outputStep(event: NodeOutputEvent): StepEnd {
  return {
    status: event.skipped ? "skipped" : "succeeded",
    outputs: jsonOrNull(event.outputs),
    detail: jsonOrNull(event.detail),
    error: null,
    finishedAt: event.at,
    durationMs: Math.round(event.durationMs),
  };
}

/**
 * A failed step, or one stopped by another's failure (`causedBy`, kept in its detail so the
 * stored trace replays the same event). A step that had finished keeps its outputs and timing:
 * it failed later, when another node used what it made.
 */
function errorStep(event: NodeErrorEvent, before: StepRow | undefined): StepEnd {
  const finishedBefore = before?.status === "succeeded";
  const detail = event.causedBy ? { ...event.detail, causedBy: event.causedBy } : event.detail;
  return {
    status: event.causedBy ? "stopped" : "failed",
    outputs: finishedBefore ? before.outputs : null,
    detail: jsonOrNull(detail) ?? (finishedBefore ? before.detail : null),
    error: event.message,
    finishedAt: finishedBefore ? before.finishedAt : event.at,
    durationMs: finishedBefore ? before.durationMs : Math.round(event.durationMs),
  };
}

export class RunRecorder implements StoredRun {
  private readonly steps: StepRow[] = [];
  private readonly byNode = new Map<string, StepRow>();
  private rowStored = false;
  private writeThrough = false;
  private finished = false;
  private finish: RunFinishEvent | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: RunStore,
    private run: RunHeader,
  ) {
    this.timer = setTimeout(() => this.followLive(), WRITE_BEHIND_MS).unref();
  }

  record(event: RunEvent): void {
    switch (event.type) {
      case "node.start": {
        this.add({
          seq: this.steps.length + 1,
          nodeId: event.nodeId,
          blockType: event.blockType,
          status: "running",
          inputs: jsonOrNull(event.inputs),
          outputs: null,
          detail: null,
          error: null,
          startedAt: event.at,
          finishedAt: null,
          durationMs: null,
          stored: false,
          dirty: true,
        });
        break;
      }
      case "node.output":
      case "node.error": {
        const step = this.byNode.get(event.nodeId);
        const finished = event.type === "node.output" ? outputStep(event) : errorStep(event, step);
        if (step) {
          Object.assign(step, finished);
          step.dirty = true;
        } else {
          // A node that never started: skipped by a router, or refused before the run began.
          this.add({ seq: this.steps.length + 1, nodeId: event.nodeId, blockType: event.blockType, inputs: null, startedAt: event.at, stored: false, dirty: true, ...finished });
        }
        break;
      }
      case "run.finish":
        clearTimeout(this.timer);
        this.finished = true;
        // A node still "running" when the run ended was stopped with it.
        for (const step of this.steps) {
          if (step.status !== "running") continue;
          step.status = "failed";
          step.error = event.error ?? "Stopped with the run.";
          step.finishedAt = event.at;
          step.dirty = true;
        }
        this.finish = event;
        this.store.settle(this, this.writeThrough ? "now" : "with-this-turn");
        return;
      default:
        return;
    }
    if (this.writeThrough) this.store.writeProgress(this);
  }

  /** Writes what is pending now (someone is about to read the run from the database). */
  reveal(): void {
    if (!this.finished) this.store.writeProgress(this);
  }

  /** From now on every change is written as it happens (someone follows the run while it goes on). */
  followLive(): void {
    if (this.writeThrough || this.finished) return;
    this.writeThrough = true;
    clearTimeout(this.timer);
    this.reveal();
  }

  get runId(): string {
    return this.run.id;
  }

  /** Inside the store's transaction: the pending rows, and with `settle` the run's settlement. */
  writeTo(writers: SettlementWriters, settle: boolean): void {
    writeRun(writers, this.run, this.rowStored, this.steps, settle ? this.finish : null);
    this.rowStored = true;
  }

  /** What is marked as written now; the returned function puts it back (its transaction rolled back). */
  checkpoint(): () => void {
    const rowStored = this.rowStored;
    const flags = this.steps.map((step) => [step.stored, step.dirty] as const);
    return () => {
      this.rowStored = rowStored;
      this.steps.forEach((step, i) => {
        [step.stored, step.dirty] = flags[i] ?? [false, true];
      });
    };
  }

  /** Drops the run's references to a deleted flow (and its agent); false when there were none to drop. */
  detach(): boolean {
    const refersToFlow = this.run.flowId !== null || this.run.flowVersionId !== null || this.run.origin.kind === "gateway";
    if (this.run.detached || !refersToFlow) return false;
    this.run = { ...this.run, detached: true };
    return true;
  }

  private add(step: StepRow): void {
    this.steps.push(step);
    this.byNode.set(step.nodeId, step);
  }
}
