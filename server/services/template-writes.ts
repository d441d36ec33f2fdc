import { and, eq, sql } from "drizzle-orm";
import { newId, type GraphDoc } from "#agents/graph/index";
import type { Db } from "#db/client";
import { templates, templateVersions, type TemplateVisibility } from "#db/schema";
import { recordAudit } from "./audit";
import { badRequest, forbidden } from "./errors";
import { StorableGraphSchema } from "./flow-graph";
import { getFlow } from "./flows";
import { stripTemplateSecrets, templateNeeds, templateValidationErrors, type TemplateNeed } from "./template-secrets";
import { isAtLeast, loadManagedTemplate, type TemplateScope } from "./templates";

/**
 * Sharing: a flow saved as a template (to the team, or publicly by an admin), updated with a
 * newer version, unshared, deleted. Each write and its audit entry are one transaction; a flow
 * that does not validate, or a role too low, writes nothing.
 */

export type TemplateDetails = { name: string; description: string; tags: string[]; category: string; readme: string };

/**
 * A team flow's graph as a template holds it: stripped of credentials and secrets (what it
 * needs is recorded instead), storable, and valid, since people will start from it.
 */
export function captureFlowGraph(db: Db, scope: TemplateScope, flowId: string): { graph: GraphDoc; needs: TemplateNeed[]; flowName: string } {
  const flow = getFlow(db, scope, flowId); // NOT_FOUND for another team's flow
  const needs = templateNeeds(flow.graph);
  const { graph } = stripTemplateSecrets(flow.graph);
  const storable = StorableGraphSchema.safeParse(graph);
  if (!storable.success) throw badRequest(`This flow cannot be shared as a template: ${storable.error.issues[0]?.message ?? "invalid graph"}.`);
  const errors = templateValidationErrors(storable.data);
  if (errors.length > 0) {
    const list = errors.slice(0, 3).map((d) => `${d.code} ${d.message}`).join("; ");
    throw badRequest(`Fix this flow before sharing it as a template (${errors.length === 1 ? "one problem" : `${errors.length} problems`}): ${list}`);
  }
  if (storable.data.nodes.length === 0) throw badRequest("This flow is empty; add blocks before sharing it as a template.");
  return { graph: storable.data, needs, flowName: flow.name };
}

function checkVisibilityRole(scope: TemplateScope, visibility: TemplateVisibility) {
  if (visibility === "public" && !isAtLeast(scope.role, "admin")) {
    throw forbidden(`Only the team's admins can share a template publicly; you are ${scope.role === "editor" ? "an" : "a"} ${scope.role}. Share it with the team instead.`);
  }
}

export function saveTemplateFromFlow(db: Db, scope: TemplateScope, input: TemplateDetails & { flowId: string; visibility: "team" | "public" }) {
  checkVisibilityRole(scope, input.visibility);
  const captured = captureFlowGraph(db, scope, input.flowId);
  const id = newId("tpl");
  const now = new Date();
  db.transaction((tx) => {
    tx.insert(templates)
      .values({
        id,
        teamId: scope.teamId,
        seedKey: null,
        visibility: input.visibility,
        name: input.name,
        description: input.description,
        category: input.category,
        tags: input.tags,
        readme: input.readme,
        graph: captured.graph,
        needs: captured.needs,
        version: 1,
        uses: 0,
        featuredRank: null,
        createdBy: scope.userId,
        createdAt: now,
        updatedAt: now,
      })
      .run();
    tx.insert(templateVersions)
      .values({ id: newId("tplv"), templateId: id, number: 1, name: input.name, graph: captured.graph, sourceFlowId: input.flowId, authorId: scope.userId, createdAt: now })
      .run();
    recordAudit(tx, {
      teamId: scope.teamId,
      actorId: scope.userId,
      action: "template.share",
      targetId: id,
      detail: { visibility: input.visibility, flowId: input.flowId, name: input.name },
    });
  });
  return { id, version: 1 };
}

/**
 * A new version: a newer graph from one of the team's flows and/or new words. The version
 * number goes up by one and every version's graph is kept.
 */
export function updateTemplate(db: Db, scope: TemplateScope, input: Partial<TemplateDetails> & { id: string; flowId?: string }) {
  const row = loadManagedTemplate(db, scope, input.id, "update");
  const captured = input.flowId ? captureFlowGraph(db, scope, input.flowId) : null;
  const changes = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.tags !== undefined ? { tags: input.tags } : {}),
    ...(input.category !== undefined ? { category: input.category } : {}),
    ...(input.readme !== undefined ? { readme: input.readme } : {}),
    ...(captured ? { graph: captured.graph, needs: captured.needs } : {}),
  };
  const now = new Date();
  const version = db.transaction((tx) => {
    // The version is bumped in SQL, so two updates at once get two numbers, never the same one.
    const bumped = tx
      .update(templates)
      .set({ ...changes, version: sql`${templates.version} + 1`, updatedAt: now })
      .where(and(eq(templates.id, row.id), eq(templates.teamId, scope.teamId)))
      .returning({ version: templates.version, name: templates.name, graph: templates.graph })
      .get();
    if (!bumped) throw badRequest("This template was deleted meanwhile.");
    tx.insert(templateVersions)
      .values({
        id: newId("tplv"),
        templateId: row.id,
        number: bumped.version,
        name: bumped.name,
        graph: bumped.graph,
        sourceFlowId: input.flowId ?? null,
        authorId: scope.userId,
        createdAt: now,
      })
      .run();
    recordAudit(tx, {
      teamId: scope.teamId,
      actorId: scope.userId,
      action: "template.update",
      targetId: row.id,
      detail: { version: bumped.version, fields: Object.keys(changes) },
    });
    return bumped.version;
  });
  return { id: row.id, version };
}

/** Shares (team, public) or unshares (private: its author and the team's admins only). */
export function setTemplateVisibility(db: Db, scope: TemplateScope, input: { id: string; visibility: "team" | "public" | "private" }) {
  const row = loadManagedTemplate(db, scope, input.id, input.visibility === "public" ? "share" : "unshare");
  checkVisibilityRole(scope, input.visibility);
  if (row.visibility === input.visibility) return { id: row.id, visibility: row.visibility };
  db.transaction((tx) => {
    tx.update(templates)
      .set({ visibility: input.visibility, updatedAt: new Date() })
      .where(and(eq(templates.id, row.id), eq(templates.teamId, scope.teamId)))
      .run();
    recordAudit(tx, {
      teamId: scope.teamId,
      actorId: scope.userId,
      action: input.visibility === "private" ? "template.unshare" : "template.share",
      targetId: row.id,
      detail: { from: row.visibility, to: input.visibility },
    });
  });
  return { id: row.id, visibility: input.visibility };
}

export function deleteTemplate(db: Db, scope: TemplateScope, id: string) {
  const row = loadManagedTemplate(db, scope, id, "delete");
  db.transaction((tx) => {
    tx.delete(templates).where(and(eq(templates.id, row.id), eq(templates.teamId, scope.teamId))).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "template.delete", targetId: row.id, detail: { name: row.name, visibility: row.visibility } });
  });
  return { id: row.id };
}
