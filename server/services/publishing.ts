import { and, asc, eq, ne } from "drizzle-orm";
import type { Db } from "#db/client";
import { flows, flowVersions, publishedAgents } from "#db/schema";
import { newId, nodeNamer, type GraphDoc } from "#agents/graph/index";
import { blockRegistry } from "#agents/blocks/index";
import { describeErrors } from "#agents/graph/diagnostics";
import { validateGraph } from "#agents/compile/validate";
import { recordAudit } from "./audit";
import { badRequest, conflict, notFound } from "./errors";
import { parseStoredGraph } from "./flow-graph";
import { createFlowVersion, getFlow, type TeamScope } from "./flows";

/** A slug is the OpenAI `model` name clients send: lowercase, URL- and header-safe. */
export const SLUG_PATTERN = /^[a-z][a-z0-9-]{1,62}[a-z0-9]$/;
export const SLUG_RULE = "3–64 characters: lowercase letters, digits and dashes, starting with a letter and not ending with a dash";

/** "My Support Bot!" → "my-support-bot"; always a valid slug. */
export function slugify(name: string): string {
  let slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!/^[a-z]/.test(slug)) slug = slug ? `agent-${slug}` : "agent";
  slug = slug.slice(0, 56).replace(/-+$/, "");
  return slug.length < 3 ? `agent-${slug}` : slug;
}

function checkSlug(slug: string): void {
  if (!SLUG_PATTERN.test(slug)) throw badRequest(`slug: "${slug}" is not a valid name; use ${SLUG_RULE}.`);
}

function slugTaken(db: Db, teamId: string, slug: string, exceptAgentId?: string): boolean {
  const conditions = [eq(publishedAgents.teamId, teamId), eq(publishedAgents.slug, slug)];
  if (exceptAgentId) conditions.push(ne(publishedAgents.id, exceptAgentId));
  return db.select({ id: publishedAgents.id }).from(publishedAgents).where(and(...conditions)).get() !== undefined;
}

function freeSlug(db: Db, teamId: string, base: string): string {
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base.slice(0, 58)}-${n}`;
    if (!slugTaken(db, teamId, candidate)) return candidate;
  }
  return `${base.slice(0, 50)}-${newId("x", 8).slice(2)}`;
}

/**
 * What a published agent needs to be served: a chat input to take the message and a chat
 * output to answer, and no validation errors. Problems are listed by the blocks' names (as
 * the canvas shows them) so they can be found and fixed; the Problems panel lists them all.
 */
export function checkPublishable(graph: GraphDoc): void {
  const errors = validateGraph(graph).filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw badRequest(describeErrors(errors, "publishing", nodeNamer(graph, blockRegistry)));
  }
  const has = (role: "chatInput" | "chatOutput") => graph.nodes.some((n) => blockRegistry.hasRole(n.type, role));
  if (!has("chatInput") || !has("chatOutput")) {
    throw badRequest("A published agent needs a Chat Input block (the message it is sent) and a Chat Output block (its answer).");
  }
}

const publicationColumns = {
  id: publishedAgents.id,
  flowId: publishedAgents.flowId,
  flowName: flows.name,
  slug: publishedAgents.slug,
  status: publishedAgents.status,
  flowVersionId: publishedAgents.flowVersionId,
  versionNumber: flowVersions.number,
  versionMessage: flowVersions.message,
  createdAt: publishedAgents.createdAt,
  updatedAt: publishedAgents.updatedAt,
};

function publicationQuery(db: Db) {
  return db
    .select(publicationColumns)
    .from(publishedAgents)
    .innerJoin(flows, eq(flows.id, publishedAgents.flowId))
    .innerJoin(flowVersions, eq(flowVersions.id, publishedAgents.flowVersionId));
}

export type Publication = NonNullable<ReturnType<typeof getPublicationForFlow>>;

export function getPublicationForFlow(db: Db, scope: TeamScope, flowId: string) {
  getFlow(db, scope, flowId); // NOT_FOUND for another team's flow
  return publicationQuery(db).where(and(eq(publishedAgents.flowId, flowId), eq(publishedAgents.teamId, scope.teamId))).get() ?? null;
}

export function getPublication(db: Db, scope: TeamScope, agentId: string) {
  const row = publicationQuery(db).where(and(eq(publishedAgents.id, agentId), eq(publishedAgents.teamId, scope.teamId))).get();
  if (!row) throw notFound("Published agent");
  return row;
}

export function getPublicationBySlug(db: Db, scope: TeamScope, slug: string) {
  const row = publicationQuery(db).where(and(eq(publishedAgents.slug, slug), eq(publishedAgents.teamId, scope.teamId))).get();
  if (!row) throw notFound("Published agent");
  return row;
}

export function listPublications(db: Db, scope: TeamScope) {
  return publicationQuery(db).where(eq(publishedAgents.teamId, scope.teamId)).orderBy(asc(publishedAgents.slug)).all();
}

export type PublishInput = {
  flowId: string;
  /** The version to pin; omitted, the flow as saved now is snapshotted as a new version. */
  versionId?: string;
  slug?: string;
};

/**
 * Publishes a flow, or pins another version of an already published one (publishing a newer
 * version is always this explicit call; until then the old pinned version keeps serving).
 */
export function publishAgent(db: Db, scope: TeamScope, input: PublishInput) {
  const flow = getFlow(db, scope, input.flowId);
  const existing = db
    .select()
    .from(publishedAgents)
    .where(and(eq(publishedAgents.flowId, flow.id), eq(publishedAgents.teamId, scope.teamId)))
    .get();
  if (input.slug !== undefined) {
    checkSlug(input.slug);
    if (slugTaken(db, scope.teamId, input.slug, existing?.id)) throw conflict(`slug: "${input.slug}" is already used by another agent in this team; choose another.`);
  }

  let versionId = input.versionId;
  if (versionId) {
    const version = db
      .select({ id: flowVersions.id, graph: flowVersions.graph })
      .from(flowVersions)
      .where(and(eq(flowVersions.id, versionId), eq(flowVersions.flowId, flow.id), eq(flowVersions.teamId, scope.teamId)))
      .get();
    if (!version) throw notFound("Version");
    checkPublishable(parseStoredGraph(version.graph, `version ${version.id}`));
  } else {
    checkPublishable(flow.graph);
    versionId = createFlowVersion(db, scope, { flowId: flow.id, message: "Published" }).id;
  }

  const now = new Date();
  const id = existing?.id ?? newId("agent");
  db.transaction((tx) => {
    if (existing) {
      tx.update(publishedAgents)
        .set({ flowVersionId: versionId, status: "active", updatedAt: now, ...(input.slug !== undefined ? { slug: input.slug } : {}) })
        .where(eq(publishedAgents.id, existing.id))
        .run();
    } else {
      tx.insert(publishedAgents)
        .values({
          id,
          teamId: scope.teamId,
          flowId: flow.id,
          flowVersionId: versionId,
          slug: input.slug ?? freeSlug(db, scope.teamId, slugify(flow.name)),
          status: "active",
          createdBy: scope.userId,
          createdAt: now,
          updatedAt: now,
        })
        .run();
    }
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "agent.publish", targetId: id, detail: { flowId: flow.id, versionId } });
  });
  return getPublication(db, scope, id);
}

export function renameAgentSlug(db: Db, scope: TeamScope, input: { agentId: string; slug: string }) {
  const current = getPublication(db, scope, input.agentId);
  checkSlug(input.slug);
  if (current.slug === input.slug) return current;
  if (slugTaken(db, scope.teamId, input.slug, current.id)) throw conflict(`slug: "${input.slug}" is already used by another agent in this team; choose another.`);
  db.transaction((tx) => {
    tx.update(publishedAgents).set({ slug: input.slug, updatedAt: new Date() }).where(eq(publishedAgents.id, current.id)).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "agent.rename", targetId: current.id, detail: { from: current.slug, to: input.slug } });
  });
  return getPublication(db, scope, current.id);
}

/** Stops serving at once: the next request for the slug is a 404. History and keys stay. */
export function unpublishAgent(db: Db, scope: TeamScope, agentId: string) {
  const current = getPublication(db, scope, agentId);
  db.transaction((tx) => {
    tx.update(publishedAgents).set({ status: "unpublished", updatedAt: new Date() }).where(eq(publishedAgents.id, current.id)).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "agent.unpublish", targetId: current.id });
  });
  return getPublication(db, scope, current.id);
}
