import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "#db/client";
import { flows, flowVersions, publishedAgents, runs, users } from "#db/schema";
import { emptyGraph, newId, type GraphDoc } from "#agents/graph/index";
import { recordAudit } from "./audit";
import { conflict, notFound } from "./errors";
import { parseStoredGraph } from "./flow-graph";
import { GRAPH_IN_VERSION } from "./run-settlement";

/** Who is acting and in which team; every query below filters by `teamId`. */
export type TeamScope = { teamId: string; userId: string };

function loadFlowRow(db: Db, scope: TeamScope, id: string) {
  const row = db.select().from(flows).where(and(eq(flows.id, id), eq(flows.teamId, scope.teamId))).get();
  if (!row) throw notFound("Flow");
  return row;
}

export function listFlows(db: Db, scope: TeamScope) {
  return db
    .select({
      id: flows.id,
      name: flows.name,
      description: flows.description,
      revision: flows.revision,
      updatedAt: flows.updatedAt,
      createdAt: flows.createdAt,
      nodeCount: sql<number>`json_array_length(${flows.graph}, '$.nodes')`,
      edgeCount: sql<number>`json_array_length(${flows.graph}, '$.edges')`,
      /** The slug the flow is served under at /v1, or null when it is not published. */
      publishedSlug: publishedAgents.slug,
    })
    .from(flows)
    .leftJoin(publishedAgents, and(eq(publishedAgents.flowId, flows.id), eq(publishedAgents.status, "active")))
    .where(eq(flows.teamId, scope.teamId))
    .orderBy(desc(flows.updatedAt))
    .all();
}

export function getFlow(db: Db, scope: TeamScope, id: string) {
  const row = loadFlowRow(db, scope, id);
  return { ...row, graph: parseStoredGraph(row.graph, `flow ${row.id}`) };
}

export function createFlow(
  db: Db,
  scope: TeamScope,
  input: { name: string; description?: string; graph?: GraphDoc },
) {
  const id = newId("flow");
  const now = new Date();
  db.transaction((tx) => {
    tx.insert(flows)
      .values({
        id,
        teamId: scope.teamId,
        name: input.name,
        description: input.description ?? "",
        graph: input.graph ?? emptyGraph(),
        revision: 1,
        createdBy: scope.userId,
        createdAt: now,
        updatedAt: now,
      })
      .run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "flow.create", targetId: id });
  });
  return getFlow(db, scope, id);
}

/**
 * Saves a graph only if nobody saved since `expectedRevision`: a stale save is a CONFLICT and
 * writes nothing, so two tabs never silently overwrite each other.
 */
export function saveFlowGraph(
  db: Db,
  scope: TeamScope,
  input: { id: string; graph: GraphDoc; expectedRevision: number },
) {
  const updatedAt = new Date();
  const result = db
    .update(flows)
    .set({ graph: input.graph, revision: sql`${flows.revision} + 1`, updatedAt })
    .where(and(eq(flows.id, input.id), eq(flows.teamId, scope.teamId), eq(flows.revision, input.expectedRevision)))
    .run();
  if (result.changes === 0) {
    const current = loadFlowRow(db, scope, input.id); // NOT_FOUND when it is not this team's
    throw conflict(
      `This flow was changed elsewhere (now at revision ${current.revision}, you started from ${input.expectedRevision}). Reload it, or keep yours as a new version.`,
    );
  }
  return { id: input.id, revision: input.expectedRevision + 1, updatedAt };
}

export function renameFlow(db: Db, scope: TeamScope, input: { id: string; name: string; description?: string }) {
  loadFlowRow(db, scope, input.id);
  db.transaction((tx) => {
    tx.update(flows)
      .set({ name: input.name, ...(input.description !== undefined ? { description: input.description } : {}), updatedAt: new Date() })
      .where(and(eq(flows.id, input.id), eq(flows.teamId, scope.teamId)))
      .run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "flow.rename", targetId: input.id, detail: { name: input.name } });
  });
  return getFlow(db, scope, input.id);
}

export function duplicateFlow(db: Db, scope: TeamScope, input: { id: string; name?: string }) {
  const source = getFlow(db, scope, input.id);
  return createFlow(db, scope, {
    name: input.name ?? `${source.name} (copy)`.slice(0, 120),
    description: source.description,
    graph: source.graph,
  });
}

export function removeFlow(db: Db, scope: TeamScope, id: string, pendingRuns: { storeFinished(): void }) {
  loadFlowRow(db, scope, id);
  // The flow's runs stay in the team's history. Those that refer to a version for their graph
  // (a published agent's runs) get their own copy before the versions go, so runs still
  // waiting for their group commit are stored first.
  pendingRuns.storeFinished();
  db.transaction((tx) => {
    tx.update(runs)
      .set({ graph: sql`(select ${flowVersions.graph} from ${flowVersions} where ${flowVersions.id} = ${runs.flowVersionId})` })
      .where(and(eq(runs.teamId, scope.teamId), eq(runs.flowId, id), sql`${runs.graph} = ${GRAPH_IN_VERSION}`))
      .run();
    tx.delete(flows).where(and(eq(flows.id, id), eq(flows.teamId, scope.teamId))).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "flow.delete", targetId: id });
  });
  return { id };
}

export function listFlowVersions(db: Db, scope: TeamScope, flowId: string) {
  loadFlowRow(db, scope, flowId);
  return db
    .select({
      id: flowVersions.id,
      number: flowVersions.number,
      message: flowVersions.message,
      createdAt: flowVersions.createdAt,
      authorName: users.name,
      authorEmail: users.email,
    })
    .from(flowVersions)
    .leftJoin(users, eq(users.id, flowVersions.authorId))
    .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.teamId, scope.teamId)))
    .orderBy(desc(flowVersions.number))
    .all();
}

export function getFlowVersion(db: Db, scope: TeamScope, input: { flowId: string; versionId: string }) {
  const row = db
    .select()
    .from(flowVersions)
    .where(
      and(eq(flowVersions.id, input.versionId), eq(flowVersions.flowId, input.flowId), eq(flowVersions.teamId, scope.teamId)),
    )
    .get();
  if (!row) throw notFound("Version");
  return { ...row, graph: parseStoredGraph(row.graph, `version ${row.id}`) };
}

/**
 * Snapshots a graph as an immutable, numbered version: the flow's stored graph, or the one
 * given (so an editor that lost a save conflict can keep its copy without overwriting).
 */
export function createFlowVersion(
  db: Db,
  scope: TeamScope,
  input: { flowId: string; message: string; graph?: GraphDoc },
) {
  return db.transaction((tx) => {
    const flow = tx
      .select()
      .from(flows)
      .where(and(eq(flows.id, input.flowId), eq(flows.teamId, scope.teamId)))
      .get();
    if (!flow) throw notFound("Flow");
    const last = tx
      .select({ n: sql<number>`coalesce(max(${flowVersions.number}), 0)` })
      .from(flowVersions)
      .where(eq(flowVersions.flowId, flow.id))
      .get();
    const version = {
      id: newId("ver"),
      flowId: flow.id,
      teamId: scope.teamId,
      number: (last?.n ?? 0) + 1,
      message: input.message,
      graph: input.graph ?? parseStoredGraph(flow.graph, `flow ${flow.id}`),
      authorId: scope.userId,
      createdAt: new Date(),
    };
    tx.insert(flowVersions).values(version).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "flow.version.create", targetId: version.id });
    return { id: version.id, number: version.number, message: version.message, createdAt: version.createdAt };
  });
}

/** Puts a version's graph back as the flow's current graph (a new revision; versions stay). */
export function restoreFlowVersion(db: Db, scope: TeamScope, input: { flowId: string; versionId: string }) {
  const version = getFlowVersion(db, scope, input);
  const updatedAt = new Date();
  db.transaction((tx) => {
    tx.update(flows)
      .set({ graph: version.graph, revision: sql`${flows.revision} + 1`, updatedAt })
      .where(and(eq(flows.id, input.flowId), eq(flows.teamId, scope.teamId)))
      .run();
    recordAudit(tx, {
      teamId: scope.teamId,
      actorId: scope.userId,
      action: "flow.version.restore",
      targetId: input.flowId,
      detail: { version: version.number },
    });
  });
  return getFlow(db, scope, input.flowId);
}
