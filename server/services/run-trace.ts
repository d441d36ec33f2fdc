import type Database from "better-sqlite3";
import type { Db } from "#db/client";
import type { StepStatus } from "#db/schema";
import type { GraphDoc } from "#agents/graph/index";
import type { NodeErrorEvent, NodeOutputEvent, RunEvent, RunFinishEvent } from "#agents/runtime/events";

/**
 * Stores a run: its row, its trace (one step row per node) and the rows a caller keeps beside
 * it (the gateway's link to the agent and key, its usage count).
 *
 * They are written behind: kept in memory and written when the run finishes, in one
 * transaction shared with the other runs that finished in the same turn of the event loop
 * (group commit). A short run (a gateway request takes a few milliseconds) thus costs a share
 * of one commit instead of one commit per event, which was a third of the gateway's CPU.
 * Whoever reads runs still sees them as they happen: the runs service stores what is pending
 * before it reads, and once somebody follows a run (the run page, the test chat) or the run
 * has lasted WRITE_BEHIND_MS, its every change is written at once.
 *
 * The statements are better-sqlite3's own, prepared once per database: building a drizzle
 * query per event cost more than the write itself, and drizzle's placeholders cannot carry
 * null into a timestamp column.
 */
export const WRITE_BEHIND_MS = 250;

type StepRow = {
  seq: number;
  nodeId: string;
  blockType: string;
  status: StepStatus;
  inputs: string | null;
  outputs: string | null;
  detail: string | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  /** Already in the database (then a change is an update). */
  stored: boolean;
  /** Changed since it was last written. */
  dirty: boolean;
};

/** Rows a caller stores with the run, in the run's own transactions (e.g. the gateway's usage). */
export type StoredWithRun = {
  /** When the run row is written (rows that refer to the run). */
  started?(runId: string): void;
  /** With the run's final state. */
  finished?(finish: RunFinishEvent): void;
};

export type NewRunRow = {
  id: string;
  teamId: string;
  flowId: string | null;
  flowVersionId: string | null;
  graph: GraphDoc;
  conversationId: string;
  source: "chat" | "gateway" | "api";
  input: string;
  startedAt: number;
  createdBy: string | null;
};

function prepareTraceWrites(sqlite: Database.Database) {
  const insertRun = sqlite.prepare(
    `insert into runs (id, team_id, flow_id, flow_version_id, graph, conversation_id, source, status, input, started_at, created_by)
     values (@id, @teamId, @flowId, @flowVersionId, @graph, @conversationId, @source, 'running', @input, @startedAt, @createdBy)`,
  );
  const insertStep = sqlite.prepare(
    `insert into run_steps (run_id, team_id, seq, node_id, block_type, status, inputs, outputs, detail, error, started_at, finished_at, duration_ms)
     values (@runId, @teamId, @seq, @nodeId, @blockType, @status, @inputs, @outputs, @detail, @error, @startedAt, @finishedAt, @durationMs)`,
  );
  const updateStep = sqlite.prepare(
    `update run_steps set status = @status, outputs = @outputs, detail = @detail, error = @error, finished_at = @finishedAt, duration_ms = @durationMs
     where run_id = @runId and seq = @seq`,
  );
  const finishRun = sqlite.prepare(
    `update runs set status = @status, output = @output, error = @error, prompt_tokens = @promptTokens,
       completion_tokens = @completionTokens, failed_tool_calls = @failedToolCalls, finished_at = @finishedAt, duration_ms = @durationMs
     where id = @id`,
  );
  const writeSteps = (runId: string, teamId: string, steps: readonly StepRow[]) => {
    for (const step of steps) {
      if (!step.dirty) continue;
      const row = {
        runId,
        teamId,
        seq: step.seq,
        nodeId: step.nodeId,
        blockType: step.blockType,
        status: step.status,
        inputs: step.inputs,
        outputs: step.outputs,
        detail: step.detail,
        error: step.error,
        startedAt: step.startedAt,
        finishedAt: step.finishedAt,
        durationMs: step.durationMs,
      };
      if (step.stored) updateStep.run(row);
      else insertStep.run(row);
      step.stored = true;
      step.dirty = false;
    }
  };
  /** The run row (the first time), pending steps and, at the end, the run's final state. */
  const writeRun = (run: NewRunRow, rowStored: boolean, steps: readonly StepRow[], finish: RunFinishEvent | null, also: StoredWithRun | undefined) => {
    if (!rowStored) {
      insertRun.run({ ...run, graph: graphColumn(run) });
      also?.started?.(run.id);
    }
    writeSteps(run.id, run.teamId, steps);
    if (!finish) return;
    finishRun.run({
      id: run.id,
      status: finish.status,
      output: finish.output,
      error: finish.error,
      promptTokens: finish.usage.promptTokens,
      completionTokens: finish.usage.completionTokens,
      failedToolCalls: finish.failedToolCalls,
      finishedAt: finish.at,
      durationMs: Math.round(finish.durationMs),
    });
    also?.finished?.(finish);
  };
  const finishedRuns: RunRecorder[] = [];
  // Each run in a savepoint of its own: one run that cannot be stored does not take the rest of
  // its group commit with it.
  const writeOneFinished = sqlite.transaction((recorder: RunRecorder) => recorder.writeFinal(writeRun));
  const writeFinished = sqlite.transaction((recorders: readonly RunRecorder[]) => {
    for (const recorder of recorders) {
      try {
        recorder.attempt(() => writeOneFinished(recorder));
      } catch (error) {
        console.error(`Could not store run ${recorder.runId}:`, error);
      }
    }
  });
  const storeFinished = () => {
    if (finishedRuns.length === 0) return;
    const batch = finishedRuns.splice(0);
    try {
      writeFinished(batch);
    } catch (error) {
      console.error(`Could not store ${batch.length} finished run(s):`, error);
    }
  };
  return {
    /** One run's pending rows in a transaction of their own (a run someone follows). */
    flush: sqlite.transaction(writeRun),
    /**
     * A finished run joins the runs that finished in the same turn of the event loop; they are
     * stored together right after it (group commit: under load one commit serves several).
     */
    finished(recorder: RunRecorder): void {
      finishedRuns.push(recorder);
      if (finishedRuns.length === 1) setImmediate(storeFinished);
    },
    storeFinished,
  };
}

type TraceWrites = ReturnType<typeof prepareTraceWrites>;

/** What a run stores as its graph: a reference when its flow version holds it (see the runs schema). */
export const GRAPH_IN_VERSION = "null";
function graphColumn(run: NewRunRow): string {
  return run.flowVersionId ? GRAPH_IN_VERSION : JSON.stringify(run.graph);
}

/** The flow (or agent) a run refers to was deleted while the run went on. */
function isForeignKeyError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}
const writesByDb = new WeakMap<Db, TraceWrites>();
function traceWrites(db: Db): TraceWrites {
  let writes = writesByDb.get(db);
  // drizzle's better-sqlite3 driver keeps the connection as `$client` (Db's type leaves it out).
  if (!writes) writesByDb.set(db, (writes = prepareTraceWrites((db as Db & { $client: Database.Database }).$client)));
  return writes;
}

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

/** Stores the finished runs still waiting for their group commit (before reading runs from the database). */
export function storeFinishedRuns(db: Db): void {
  writesByDb.get(db)?.storeFinished();
}

/** One run's record: fed every event of the run, it keeps the rows and writes them (see above). */
export class RunRecorder {
  private readonly writes: TraceWrites;
  private readonly steps: StepRow[] = [];
  private readonly byNode = new Map<string, StepRow>();
  private rowStored = false;
  private writeThrough = false;
  private finished = false;
  private finish: RunFinishEvent | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    db: Db,
    private run: NewRunRow,
    private also?: StoredWithRun,
  ) {
    this.writes = traceWrites(db);
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
        if (this.writeThrough) this.write(event);
        else {
          this.finish = event;
          this.writes.finished(this);
        }
        return;
      default:
        return;
    }
    if (this.writeThrough) this.write(null);
  }

  /** Writes what is pending now (someone is about to read the run from the database). */
  reveal(): void {
    if (this.finished) return;
    try {
      this.write(null);
    } catch (error) {
      console.error(`Run ${this.run.id}: could not store its trace:`, error);
    }
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

  /** The group commit's part for this run (inside its transaction). */
  writeFinal(writeRun: (...args: Parameters<TraceWrites["flush"]>) => void): void {
    writeRun(this.run, this.rowStored, this.steps, this.finish, this.also);
    this.rowStored = true;
  }

  /**
   * Runs one transaction of this run's writes. When it is refused because the run's flow (or
   * its published agent) was deleted while the run went on, the run is stored as the deletion
   * would have left it: no link to the flow, its own copy of the graph, no agent rows.
   */
  attempt(write: () => void): void {
    // A refused transaction is rolled back: the steps it marked as written are not.
    const flags = this.steps.map((step) => [step.stored, step.dirty] as const);
    const restoreFlags = () =>
      this.steps.forEach((step, i) => {
        [step.stored, step.dirty] = flags[i] ?? [false, true];
      });
    try {
      write();
    } catch (error) {
      restoreFlags();
      if (!isForeignKeyError(error) || !this.detachFromFlow()) throw error;
      try {
        write();
      } catch (again) {
        restoreFlags();
        throw again;
      }
    }
  }

  /** Drops the run's references to a deleted flow; false when there were none to drop. */
  private detachFromFlow(): boolean {
    if (this.run.flowId === null && this.run.flowVersionId === null && this.also === undefined) return false;
    this.run = { ...this.run, flowId: null, flowVersionId: null };
    this.also = undefined;
    return true;
  }

  private write(finish: RunFinishEvent | null): void {
    this.attempt(() => this.writes.flush(this.run, this.rowStored, this.steps, finish, this.also));
    this.rowStored = true;
  }

  private add(step: StepRow): void {
    this.steps.push(step);
    this.byNode.set(step.nodeId, step);
  }
}
