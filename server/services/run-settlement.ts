import type { HotStatements, StepRowParams } from "#db/hot-statements";
import type { StepStatus } from "#db/schema";
import type { GraphDoc } from "#agents/graph/index";
import type { RunFinishEvent } from "#agents/runtime/events";
import type { BilledUsage, UsageHold } from "../billing/metering";

/**
 * What a run writes, and the one step that settles a finished run: its final state, the steps
 * not written yet and what it costs, in the same transaction (run-store.ts opens it). A run
 * that is stored is therefore never a run whose usage is missing, nor the other way round.
 *
 * Billing's ledger lines are written here (a "billed-usage" posting, ADR 030): they commit or
 * roll back with the run.
 */

/** Where a settlement writes: the hot statements, and billing's usage posting when billing is on. */
export type SettlementWriters = { statements: HotStatements; billUsage?: (usage: BilledUsage) => void };

/** Who or what started a run. Stored with the run: its `source`, its author, the gateway's agent and key. */
export type RunOrigin =
  /** The editor's test chat, by a person. */
  | { kind: "chat"; userId: string }
  /** A /v1 request to a published agent, made with a team API key. */
  | {
      kind: "gateway";
      agentId: string;
      apiKeyId: string;
      /** What billing held for the request before it ran (metering.ts); absent when billing is off. */
      hold?: UsageHold;
    }
  /** Server code on its own behalf (no person, no key). */
  | { kind: "api" };

/** The run's own fields, known when it starts. */
export type RunHeader = {
  id: string;
  teamId: string;
  flowId: string | null;
  flowVersionId: string | null;
  graph: GraphDoc;
  conversationId: string;
  origin: RunOrigin;
  input: string;
  startedAt: number;
  /**
   * The flow (and with it any published agent) was deleted while the run went on: the run is
   * stored as the deletion would have left it, without the rows that referred to them.
   */
  detached?: boolean;
};

/** One node's step of the trace, as kept in memory until written. */
export type StepRow = {
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

/** What a finished run costs, posted with it: its agent's daily counters, and what billing charges. */
export type Posting =
  | {
      kind: "agent-usage";
      agentId: string;
      teamId: string;
      /** The UTC day the request came in. */
      day: string;
      errors: 0 | 1;
      promptTokens: number;
      completionTokens: number;
    }
  | { kind: "billed-usage"; usage: BilledUsage };

/** UTC day of a timestamp, as stored in agent_usage_daily. */
export function utcDay(at: number | Date): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** A gateway request counts on its agent's day, with its tokens and whether it got an answer. */
export function postingsOf(run: RunHeader, finish: RunFinishEvent): Posting[] {
  if (run.origin.kind !== "gateway") return [];
  const { hold } = run.origin;
  // A detached run (its agent deleted meanwhile) has no agent row to count on, but it was still paid for.
  const billed: Posting[] = hold
    ? [
        {
          kind: "billed-usage",
          usage: {
            runId: run.id,
            teamId: run.teamId,
            agentId: run.origin.agentId,
            apiKeyId: run.origin.apiKeyId,
            startedAt: run.startedAt,
            day: utcDay(run.startedAt),
            promptTokens: finish.usage.promptTokens,
            completionTokens: finish.usage.completionTokens,
            hold,
          },
        },
      ]
    : [];
  if (run.detached) return billed;
  return [
    ...billed,
    {
      kind: "agent-usage",
      agentId: run.origin.agentId,
      teamId: run.teamId,
      day: utcDay(run.startedAt),
      errors: finish.status === "succeeded" ? 0 : 1,
      promptTokens: finish.usage.promptTokens,
      completionTokens: finish.usage.completionTokens,
    },
  ];
}

export function writePosting(writers: SettlementWriters, posting: Posting): void {
  if (posting.kind === "billed-usage") {
    writers.billUsage?.(posting.usage);
    return;
  }
  const { kind: _kind, ...usage } = posting;
  writers.statements.addAgentUsage.run(usage);
}

/** What a run stores as its graph: a reference when its flow version holds it (see the runs schema). */
export const GRAPH_IN_VERSION = "null";

/**
 * Writes what a run has not stored yet: its row (with its origin) the first time, its changed
 * steps, and, when `finish` is given, its settlement: final state and postings. The caller
 * holds the transaction. Returns nothing; marks the steps written (the caller restores the
 * marks if the transaction rolls back).
 */
export function writeRun(writers: SettlementWriters, run: RunHeader, rowStored: boolean, steps: readonly StepRow[], finish: RunFinishEvent | null): void {
  const { statements } = writers;
  const final = finish ? finalState(run.id, finish) : null;
  if (!rowStored) {
    // A short run is inserted once, already finished.
    statements.insertRun.run({ ...runColumns(run), ...(final ?? runningState(run.id)) });
    if (run.origin.kind === "gateway" && !run.detached) {
      statements.linkAgentRun.run({ runId: run.id, teamId: run.teamId, agentId: run.origin.agentId, apiKeyId: run.origin.apiKeyId, startedAt: run.startedAt });
    }
  } else if (final) {
    statements.finishRun.run(final);
  }
  writeSteps(statements, run, steps);
  if (finish) for (const posting of postingsOf(run, finish)) writePosting(writers, posting);
}

function runColumns(run: RunHeader) {
  const detached = run.detached === true;
  return {
    teamId: run.teamId,
    flowId: detached ? null : run.flowId,
    flowVersionId: detached ? null : run.flowVersionId,
    graph: !detached && run.flowVersionId ? GRAPH_IN_VERSION : JSON.stringify(run.graph),
    conversationId: run.conversationId,
    source: run.origin.kind,
    input: run.input,
    startedAt: run.startedAt,
    createdBy: run.origin.kind === "chat" ? run.origin.userId : null,
  };
}

function runningState(id: string) {
  return { id, status: "running", output: null, error: null, promptTokens: 0, completionTokens: 0, failedToolCalls: 0, finishedAt: null, durationMs: null };
}

function finalState(id: string, finish: RunFinishEvent) {
  return {
    id,
    status: finish.status,
    output: finish.output,
    error: finish.error,
    promptTokens: finish.usage.promptTokens,
    completionTokens: finish.usage.completionTokens,
    failedToolCalls: finish.failedToolCalls,
    finishedAt: finish.at,
    durationMs: Math.round(finish.durationMs),
  };
}

function writeSteps(statements: HotStatements, run: RunHeader, steps: readonly StepRow[]): void {
  for (const step of steps) {
    if (!step.dirty) continue;
    const row: StepRowParams = {
      runId: run.id,
      teamId: run.teamId,
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
    if (step.stored) statements.updateStep.run(row);
    else statements.insertStep.run(row);
    step.stored = true;
    step.dirty = false;
  }
}
