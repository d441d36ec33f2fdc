import { and, asc, desc, eq, lt } from "drizzle-orm";
import type { Db } from "#db/client";
import { flows, flowVersions, runs, runSteps } from "#db/schema";
import { blockRegistry } from "#agents/blocks/index";
import { runnersByType } from "#agents/blocks/index.server";
import { emptyGraph, newId, type GraphDoc } from "#agents/graph/index";
import type { EndpointResolver, Meter, RunCapabilities } from "#agents/runtime/context";
import type { RunEvent } from "#agents/runtime/events";
import { executeRun, type RunLimits, type RunResult } from "#agents/runtime/executor";
import { resolveCredential } from "./credentials";
import { badRequest, notFound } from "./errors";
import { parseStoredGraph } from "./flow-graph";
import { getFlow } from "./flows";
import { sqliteMemoryStore } from "./run-memory";
import { storedEvents } from "./run-replay";
import { RunRecorder } from "./run-recorder";
import type { RunOrigin } from "./run-settlement";
import type { RunStore } from "./run-store";
import type { RuntimeHost } from "./runtime-host";
import type { KnowledgeService } from "../knowledge/service";
import { knowledgeSearchForTeam } from "../knowledge/run-capability";

export type StartRunInput = {
  teamId: string;
  /** Who or what starts the run: stored with it, and what its settlement posts depends on it. */
  origin: RunOrigin;
  /** The flow this run belongs to (history, run page); null for a graph run on its own. */
  flowId?: string | null;
  flowVersionId?: string | null;
  graph: GraphDoc;
  input: string;
  /** Same id across turns = same conversation memory. */
  conversationId: string;
  /** Aborts the run (e.g. the HTTP client went away). */
  signal?: AbortSignal;
  /** False when the caller only wants the whole answer (a non-streaming API request); see executeRun. */
  streamTokens?: boolean;
  limits?: Partial<RunLimits>;
  /** Extra metering per model call; the run's own totals are always stored. */
  meter?: Meter;
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

/** Finished runs stay in memory briefly, so a subscriber arriving late still gets every token. */
const KEEP_FINISHED_MS = 60_000;
/** …and at most this many of them, oldest leaving first, so memory stays bounded under load. */
const KEEP_FINISHED_MAX = 200;
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

export type RunServiceDeps = {
  db: Db;
  secretKey: Buffer;
  runtime: RuntimeHost;
  store: RunStore;
  knowledge: KnowledgeService;
  /** Where a run's model.endpoint nodes are served: the flow's deployment (omitted: runtime.endpoints). */
  endpointsFor?: (scope: { teamId: string; flowId: string | null }) => EndpointResolver;
};

/**
 * Runs of a flow's agent part, for one running Skyloom: start one (stored as it goes, see
 * run-recorder.ts), follow its events live, cancel it, and read the history back. The runs in
 * progress are this instance's own: stopping it cancels them and no other host's.
 */
export class RunService {
  private readonly live = new Map<string, LiveRun>();
  private readonly keptFinished = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: RunServiceDeps) {}

  /**
   * Starts a run and returns at once. This is the server-side entry point for every caller:
   * the editor's test chat (run.start), and the /v1 gateway, which passes the published graph,
   * the request's conversation id and an AbortSignal tied to the HTTP request.
   */
  start(input: StartRunInput): RunHandle {
    if (input.input.trim() === "") throw badRequest("Type a message first.");
    if (input.conversationId.length === 0 || input.conversationId.length > MAX_CONVERSATION_ID) {
      throw badRequest(`A conversation id is 1 to ${MAX_CONVERSATION_ID} characters.`);
    }
    const { db, runtime } = this.deps;
    const runId = newId("run");
    // Stored behind the run (see run-recorder.ts): one transaction when a short run ends.
    const record = new RunRecorder(this.deps.store, {
      id: runId,
      teamId: input.teamId,
      flowId: input.flowId ?? null,
      flowVersionId: input.flowVersionId ?? null,
      graph: input.graph,
      conversationId: input.conversationId,
      origin: input.origin,
      input: input.input,
      startedAt: Date.now(),
    });

    const controller = new AbortController();
    const onOuterAbort = () => controller.abort();
    if (input.signal?.aborted) controller.abort();
    input.signal?.addEventListener("abort", onOuterAbort, { once: true });
    const liveRun: LiveRun = { teamId: input.teamId, events: [], listeners: new Set(), done: false, controller, record };
    this.live.set(runId, liveRun);

    const capabilities: RunCapabilities = {
      llm: runtime.llm,
      credentials: {
        resolve: async (credentialId) => {
          try {
            return resolveCredential(db, this.deps.secretKey, input.teamId, credentialId);
          } catch {
            throw new Error("The credential chosen in this block no longer exists; pick another in its settings.");
          }
        },
      },
      memory: sqliteMemoryStore(db, input.teamId),
      http: { fetch: (url, init) => runtime.guard.fetch(url, init) },
      sandbox: runtime.sandbox.forTeam(input.teamId),
      endpoints: this.deps.endpointsFor?.({ teamId: input.teamId, flowId: input.flowId ?? null }) ?? runtime.endpoints,
      clock: { now: () => performance.timeOrigin + performance.now() },
      meter: input.meter ?? { record: () => {} },
      knowledge: knowledgeSearchForTeam(this.deps.knowledge, input.teamId),
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
        // Storage failures do not reach the run: the store retries and reports them (/healthz).
        record.record(event);
        push(liveRun, event);
      },
    }).finally(() => {
      input.signal?.removeEventListener("abort", onOuterAbort);
      // Test-chat runs stay findable briefly for a late subscriber; a gateway or API caller holds
      // its handle (which keeps the events), so under load finished runs leave memory at once.
      if (input.origin.kind === "chat") this.keepFinished(runId);
      else this.live.delete(runId);
    });

    return {
      runId,
      events: (signal) => follow(liveRun, signal),
      result,
      cancel: () => controller.abort(),
    };
  }

  /** Starts a run of a saved flow for the editor's test chat. */
  startFlowRun(scope: { teamId: string; userId: string }, input: { flowId: string; input: string; conversationId: string }) {
    const flow = getFlow(this.deps.db, scope, input.flowId);
    const handle = this.start({
      teamId: scope.teamId,
      origin: { kind: "chat", userId: scope.userId },
      flowId: flow.id,
      graph: flow.graph,
      input: input.input,
      conversationId: input.conversationId,
    });
    return { runId: handle.runId };
  }

  /** Writes what the team's runs have not stored yet (in progress, or in a group commit), before their rows are read. */
  reveal(teamId: string): void {
    this.deps.store.storeFinished();
    for (const run of this.live.values()) if (run.teamId === teamId) run.record.reveal();
  }

  /** Stores the finished runs still waiting for their group commit (before rows that refer to runs change). */
  storeFinished(): void {
    this.deps.store.storeFinished();
  }

  cancel(scope: { teamId: string }, runId: string): { id: string; cancelled: boolean } {
    const run = this.liveRunOf(scope.teamId, runId);
    if (!run || run.done) {
      this.loadRun(scope.teamId, runId);
      return { id: runId, cancelled: false };
    }
    run.controller.abort();
    return { id: runId, cancelled: true };
  }

  get(scope: { teamId: string }, runId: string) {
    const db = this.deps.db;
    const row = this.loadRun(scope.teamId, runId);
    const steps = db.select().from(runSteps).where(eq(runSteps.runId, runId)).orderBy(asc(runSteps.seq)).all();
    // The run page's title names the flow; null once the flow is deleted.
    const flow = row.flowId ? db.select({ name: flows.name }).from(flows).where(and(eq(flows.id, row.flowId), eq(flows.teamId, scope.teamId))).get() : undefined;
    return { ...row, flowName: flow?.name ?? null, graph: graphOfRun(db, scope.teamId, row), steps };
  }

  list(scope: { teamId: string }, input: { flowId?: string; limit: number; before?: Date }) {
    this.reveal(scope.teamId);
    const where = [eq(runs.teamId, scope.teamId)];
    if (input.flowId) where.push(eq(runs.flowId, input.flowId));
    if (input.before) where.push(lt(runs.startedAt, input.before));
    return this.deps.db
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
  async *events(scope: { teamId: string }, runId: string, options: { signal?: AbortSignal; from?: number } = {}): AsyncGenerator<RunEvent> {
    const run = this.liveRunOf(scope.teamId, runId);
    if (run) {
      // Someone watches this run (its page reloads the stored trace as nodes finish).
      run.record.followLive();
      yield* follow(run, options.signal, options.from ?? 0);
      return;
    }
    yield* storedEvents(this.get(scope, runId)).slice(options.from ?? 0);
  }

  /** Cancels this host's runs in progress and waits (briefly) for them to end (the host is stopping). */
  async stop(): Promise<void> {
    const ending: Promise<void>[] = [];
    for (const run of this.live.values()) {
      if (run.done) continue;
      run.controller.abort();
      ending.push(new Promise((resolve) => run.listeners.add(() => run.done && resolve())));
    }
    for (const timer of this.keptFinished.values()) clearTimeout(timer);
    this.keptFinished.clear();
    // A run whose block ignores its abort signal must not hold the shutdown.
    await Promise.race([Promise.all(ending), new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
  }

  private keepFinished(runId: string): void {
    this.keptFinished.set(
      runId,
      setTimeout(() => {
        this.keptFinished.delete(runId);
        this.live.delete(runId);
      }, KEEP_FINISHED_MS).unref(),
    );
    if (this.keptFinished.size <= KEEP_FINISHED_MAX) return;
    const [oldest, timer] = this.keptFinished.entries().next().value as [string, NodeJS.Timeout];
    clearTimeout(timer);
    this.keptFinished.delete(oldest);
    this.live.delete(oldest);
  }

  /** A run in progress of this team, if there is one by that id. */
  private liveRunOf(teamId: string, runId: string): LiveRun | undefined {
    const run = this.live.get(runId);
    return run && run.teamId === teamId ? run : undefined;
  }

  private loadRun(teamId: string, runId: string) {
    this.deps.store.storeFinished();
    this.liveRunOf(teamId, runId)?.record.reveal();
    const row = this.deps.db.select().from(runs).where(and(eq(runs.id, runId), eq(runs.teamId, teamId))).get();
    if (!row) throw notFound("Run");
    return row;
  }
}

/** How long stopping waits for cancelled runs to end before the database closes. */
const STOP_WAIT_MS = 5_000;

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

/** Runs left "running" by a previous process can never finish; say so in their record. */
export function markInterruptedRuns(db: Db): number {
  const result = db
    .update(runs)
    .set({ status: "failed", error: "Skyloom stopped while this run was in progress.", finishedAt: new Date() })
    .where(eq(runs.status, "running"))
    .run();
  return result.changes;
}
