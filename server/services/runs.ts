import { and, asc, desc, eq, lt } from "drizzle-orm";
import type { Db } from "#db/client";
import { flows, flowVersions, runs, runSteps } from "#db/schema";
import { blockRegistry } from "#agents/blocks/index";
import { runnersByType } from "#agents/blocks/index.server";
import { emptyGraph, newId, type GraphDoc } from "#agents/graph/index";
import type { Meter, RunCapabilities } from "#agents/runtime/context";
import type { RunEvent } from "#agents/runtime/events";
import { executeRun, type RunLimits, type RunResult } from "#agents/runtime/executor";
import type { ServerConfig } from "../env";
import { resolveCredential } from "./credentials";
import { badRequest, notFound } from "./errors";
import { parseStoredGraph } from "./flow-graph";
import { getFlow } from "./flows";
import { sqliteMemoryStore } from "./run-memory";
import { storedEvents } from "./run-replay";
import { RunRecorder, storeFinishedRuns, type StoredWithRun } from "./run-trace";
import { runtimeHost } from "./runtime-host";

/**
 * Runs of a flow's agent part: start one (persisted as it goes: the run row, then one step
 * row per node), follow its events live, cancel it, and read the history back.
 */
export type RunDeps = { database: { db: Db }; config: ServerConfig; secretKey: Buffer };

export type StartRunInput = {
  teamId: string;
  userId?: string | null;
  /** The flow this run belongs to (history, run page); null for a graph run on its own. */
  flowId?: string | null;
  flowVersionId?: string | null;
  graph: GraphDoc;
  input: string;
  /** Same id across turns = same conversation memory. */
  conversationId: string;
  source: "chat" | "gateway" | "api";
  /** Aborts the run (e.g. the HTTP client went away). */
  signal?: AbortSignal;
  /** False when the caller only wants the whole answer (a non-streaming API request); see executeRun. */
  streamTokens?: boolean;
  limits?: Partial<RunLimits>;
  /** Extra metering (the gateway's ledger); the run's own totals are always stored. */
  meter?: Meter;
  /** Rows the caller keeps beside the run (the gateway's link and usage), stored with it. */
  alsoStore?: StoredWithRun;
};

export type RunHandle = {
  runId: string;
  /** Every event of the run from its start, then live ones until run.finish. */
  events(signal?: AbortSignal): AsyncIterable<RunEvent>;
  /** Resolves when the run ends (never rejects for a failing flow). */
  result: Promise<RunResult>;
  cancel(): void;
};

/** A run in progress (or just finished): its events so far and who is listening. */
type LiveRun = {
  teamId: string;
  events: RunEvent[];
  listeners: Set<() => void>;
  done: boolean;
  controller: AbortController;
  record: RunRecorder;
};

const live = new Map<string, LiveRun>();
/** Finished runs stay in memory briefly, so a subscriber arriving late still gets every token. */
const KEEP_FINISHED_MS = 60_000;
/** …and at most this many of them, oldest leaving first, so memory stays bounded under load. */
const KEEP_FINISHED_MAX = 200;
const keptFinished = new Map<string, NodeJS.Timeout>();

function keepFinished(runId: string): void {
  keptFinished.set(
    runId,
    setTimeout(() => {
      keptFinished.delete(runId);
      live.delete(runId);
    }, KEEP_FINISHED_MS).unref(),
  );
  if (keptFinished.size <= KEEP_FINISHED_MAX) return;
  const [oldest, timer] = keptFinished.entries().next().value as [string, NodeJS.Timeout];
  clearTimeout(timer);
  keptFinished.delete(oldest);
  live.delete(oldest);
}
/** A long run's buffered tokens are capped; node events are always kept. */
const MAX_BUFFERED_EVENTS = 20_000;
export const MAX_CONVERSATION_ID = 100;

function push(run: LiveRun, event: RunEvent) {
  if (event.type !== "token" || run.events.length < MAX_BUFFERED_EVENTS) run.events.push(event);
  if (event.type === "run.finish") run.done = true;
  for (const listener of run.listeners) listener();
}

async function* follow(run: LiveRun, signal?: AbortSignal, from = 0): AsyncGenerator<RunEvent> {
  let index = from;
  while (true) {
    while (index < run.events.length) yield run.events[index++] as RunEvent;
    if (run.done || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        run.listeners.delete(wake);
        signal?.removeEventListener("abort", wake);
        resolve();
      };
      run.listeners.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
    });
  }
}

/**
 * Starts a run and returns at once. This is the server-side entry point for every caller:
 * the editor's test chat (run.start), and the /v1 gateway, which passes the published graph,
 * the request's conversation id and an AbortSignal tied to the HTTP request.
 */
export async function startRun(deps: RunDeps, input: StartRunInput): Promise<RunHandle> {
  if (input.input.trim() === "") throw badRequest("Type a message first.");
  if (input.conversationId.length === 0 || input.conversationId.length > MAX_CONVERSATION_ID) {
    throw badRequest(`A conversation id is 1 to ${MAX_CONVERSATION_ID} characters.`);
  }
  const host = await runtimeHost(deps);
  const db = deps.database.db;
  const runId = newId("run");
  // Stored behind the run (see run-trace.ts): one transaction when a short run ends.
  const record = new RunRecorder(
    db,
    {
      id: runId,
    teamId: input.teamId,
    flowId: input.flowId ?? null,
    flowVersionId: input.flowVersionId ?? null,
    graph: input.graph,
    conversationId: input.conversationId,
    source: input.source,
    input: input.input,
      startedAt: Date.now(),
      createdBy: input.userId ?? null,
    },
    input.alsoStore,
  );

  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  if (input.signal?.aborted) controller.abort();
  input.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const liveRun: LiveRun = { teamId: input.teamId, events: [], listeners: new Set(), done: false, controller, record };
  live.set(runId, liveRun);

  const capabilities: RunCapabilities = {
    llm: host.llm,
    credentials: {
      resolve: async (credentialId) => {
        try {
          return resolveCredential(db, deps.secretKey, input.teamId, credentialId);
        } catch {
          throw new Error("The credential chosen in this block no longer exists; pick another in its settings.");
        }
      },
    },
    memory: sqliteMemoryStore(db, input.teamId),
    http: { fetch: (url, init) => host.guard.fetch(url, init) },
    sandbox: host.sandbox.forTeam(input.teamId),
    endpoints: { resolve: (node) => host.endpoints.resolve(node) },
    clock: { now: () => performance.timeOrigin + performance.now() },
    meter: input.meter ?? { record: () => {} },
  };

  const result = executeRun({
    runId,
    graph: input.graph,
    input: input.input,
    conversationId: input.conversationId,
    blocks: blockRegistry,
    runners: runnersByType,
    capabilities,
    limits: input.limits,
    signal: controller.signal,
    streamTokens: input.streamTokens,
    onEvent: (event) => {
      try {
        record.record(event);
      } catch (error) {
        // The trace is best effort; the run itself goes on and the error reaches the log.
        console.error(`Run ${runId}: could not store ${event.type}:`, error);
      }
      push(liveRun, event);
    },
  }).finally(() => {
    input.signal?.removeEventListener("abort", onOuterAbort);
    // Test-chat runs stay findable briefly for a late subscriber; a gateway or API caller holds
    // its handle (which keeps the events), so under load finished runs leave memory at once.
    if (input.source === "chat") keepFinished(runId);
    else live.delete(runId);
  });

  return {
    runId,
    events: (signal) => follow(liveRun, signal),
    result,
    cancel: () => controller.abort(),
  };
}

/** Starts a run of a saved flow for the editor's test chat. */
export async function startFlowRun(
  deps: RunDeps,
  scope: { teamId: string; userId: string },
  input: { flowId: string; input: string; conversationId: string },
) {
  const flow = getFlow(deps.database.db, scope, input.flowId);
  const handle = await startRun(deps, {
    teamId: scope.teamId,
    userId: scope.userId,
    flowId: flow.id,
    graph: flow.graph,
    input: input.input,
    conversationId: input.conversationId,
    source: "chat",
  });
  return { runId: handle.runId };
}

/** A run in progress of this team, if there is one by that id. */
function liveRunOf(teamId: string, runId: string): LiveRun | undefined {
  const run = live.get(runId);
  return run && run.teamId === teamId ? run : undefined;
}

/** Writes what the team's runs have not stored yet (in progress, or in a group commit), before their rows are read. */
export function revealRuns(db: Db, teamId: string): void {
  storeFinishedRuns(db);
  for (const run of live.values()) if (run.teamId === teamId) run.record.reveal();
}

function loadRun(db: Db, teamId: string, runId: string) {
  storeFinishedRuns(db);
  liveRunOf(teamId, runId)?.record.reveal();
  const row = db.select().from(runs).where(and(eq(runs.id, runId), eq(runs.teamId, teamId))).get();
  if (!row) throw notFound("Run");
  return row;
}

export function cancelRun(db: Db, scope: { teamId: string }, runId: string): { id: string; cancelled: boolean } {
  const run = liveRunOf(scope.teamId, runId);
  if (!run || run.done) {
    loadRun(db, scope.teamId, runId);
    return { id: runId, cancelled: false };
  }
  run.controller.abort();
  return { id: runId, cancelled: true };
}

export function getRun(db: Db, scope: { teamId: string }, runId: string) {
  const row = loadRun(db, scope.teamId, runId);
  const steps = db.select().from(runSteps).where(eq(runSteps.runId, runId)).orderBy(asc(runSteps.seq)).all();
  // The run page's title names the flow; null once the flow is deleted.
  const flow = row.flowId ? db.select({ name: flows.name }).from(flows).where(and(eq(flows.id, row.flowId), eq(flows.teamId, scope.teamId))).get() : undefined;
  return { ...row, flowName: flow?.name ?? null, graph: graphOfRun(db, scope.teamId, row), steps };
}

/** The graph a run ran: its own copy, or its flow version's (published agents' runs refer to it). */
function graphOfRun(db: Db, teamId: string, row: { id: string; graph: unknown; flowVersionId: string | null }): GraphDoc {
  if (row.graph !== null) return row.graph as GraphDoc;
  const version = row.flowVersionId
    ? db
        .select({ graph: flowVersions.graph })
        .from(flowVersions)
        .where(and(eq(flowVersions.id, row.flowVersionId), eq(flowVersions.teamId, teamId)))
        .get()
    : undefined;
  // Not expected (deleting a flow copies the graph into its runs); the trace still shows its steps.
  if (!version) return emptyGraph();
  return parseStoredGraph(version.graph, `version ${row.flowVersionId} of run ${row.id}`);
}

export function listRuns(db: Db, scope: { teamId: string }, input: { flowId?: string; limit: number; before?: Date }) {
  revealRuns(db, scope.teamId);
  const where = [eq(runs.teamId, scope.teamId)];
  if (input.flowId) where.push(eq(runs.flowId, input.flowId));
  if (input.before) where.push(lt(runs.startedAt, input.before));
  return db
    .select({
      id: runs.id,
      flowId: runs.flowId,
      status: runs.status,
      source: runs.source,
      input: runs.input,
      output: runs.output,
      error: runs.error,
      promptTokens: runs.promptTokens,
      completionTokens: runs.completionTokens,
      failedToolCalls: runs.failedToolCalls,
      startedAt: runs.startedAt,
      durationMs: runs.durationMs,
      conversationId: runs.conversationId,
    })
    .from(runs)
    .where(and(...where))
    .orderBy(desc(runs.startedAt))
    .limit(input.limit)
    .all();
}

/**
 * The run's events: live (replaying what already happened first) or, once done, from the
 * trace. `from` skips events a reconnecting subscriber already has (their index in the run).
 */
export async function* runEvents(
  db: Db,
  scope: { teamId: string },
  runId: string,
  options: { signal?: AbortSignal; from?: number } = {},
): AsyncGenerator<RunEvent> {
  const run = liveRunOf(scope.teamId, runId);
  if (run) {
    // Someone watches this run (its page reloads the stored trace as nodes finish).
    run.record.followLive();
    yield* follow(run, options.signal, options.from ?? 0);
    return;
  }
  yield* storedEvents(getRun(db, scope, runId)).slice(options.from ?? 0);
}

/** Cancels every run in progress (the host is shutting down). */
export function cancelAllRuns(): void {
  for (const run of live.values()) if (!run.done) run.controller.abort();
}

/** Runs left "running" by a previous process can never finish; say so in their record. */
export function markInterruptedRuns(db: Db): number {
  const result = db
    .update(runs)
    .set({ status: "failed", error: "Skyloom stopped while this run was in progress.", finishedAt: new Date() })
    .where(eq(runs.status, "running"))
    .run();
  return result.changes;
}
