import { and, eq, sql } from "drizzle-orm";
import { blockRegistry } from "#agents/blocks/index";
import { emptyGraph, GRAPH_SCHEMA_VERSION, remapIds, upgradeGraph, type GraphDoc } from "#agents/graph/index";
import type { Db } from "#db/client";
import { credentials, knowledgeBases, templates } from "#db/schema";
import { recordAudit } from "./audit";
import { badRequest, notFound } from "./errors";
import { StorableGraphSchema } from "./flow-graph";
import { createFlow } from "./flows";
import { teamFieldsOf, templateValidationErrors } from "./template-secrets";
import { loadVisibleTemplate, readTemplateGraph, type TemplateScope } from "./templates";

/**
 * "Use template": a new flow of the active team from any template it may read, with fresh ids
 * (remapIds), every node at its block's current version (upgradeGraph), and the credentials
 * and knowledge bases the user picked filled in. A template is data: nothing in it runs here.
 */

/** A choice made in the "use template" dialog, for one node of the template (template node ids). */
export type TemplateBinding = { nodeId: string; credentialId?: string; knowledgeBaseId?: string };

function ownsCredential(db: Db, teamId: string, id: string): boolean {
  return db.select({ id: credentials.id }).from(credentials).where(and(eq(credentials.id, id), eq(credentials.teamId, teamId))).get() !== undefined;
}

function ownsKnowledgeBase(db: Db, teamId: string, id: string): boolean {
  return db.select({ id: knowledgeBases.id }).from(knowledgeBases).where(and(eq(knowledgeBases.id, id), eq(knowledgeBases.teamId, teamId))).get() !== undefined;
}

/**
 * The graph with each binding applied to its node's credential or knowledge-base field. An id
 * that is not the team's is NOT_FOUND, as if it did not exist; a binding to a node without
 * such a field is a BAD_REQUEST naming it.
 */
export function applyBindings(db: Db, teamId: string, graph: GraphDoc, bindings: readonly TemplateBinding[]): GraphDoc {
  if (bindings.length === 0) return graph;
  const nodes = graph.nodes.map((n) => ({ ...n, config: structuredClone(n.config) }));
  for (const binding of bindings) {
    const node = nodes.find((n) => n.id === binding.nodeId);
    if (!node) throw badRequest(`bindings: the template has no node "${binding.nodeId}".`);
    const block = blockRegistry.get(node.type);
    const fields = block ? teamFieldsOf(block) : { credential: [], knowledgeBase: [] };
    const config = (node.config ?? {}) as Record<string, unknown>;
    if (binding.credentialId !== undefined) {
      const field = fields.credential[0];
      if (!field) throw badRequest(`bindings: ${block?.title ?? node.type} "${node.id}" takes no credential.`);
      if (!ownsCredential(db, teamId, binding.credentialId)) throw notFound("Credential");
      config[field] = binding.credentialId;
    }
    if (binding.knowledgeBaseId !== undefined) {
      const field = fields.knowledgeBase[0];
      if (!field) throw badRequest(`bindings: ${block?.title ?? node.type} "${node.id}" takes no knowledge base.`);
      if (!ownsKnowledgeBase(db, teamId, binding.knowledgeBaseId)) throw notFound("Knowledge base");
      config[field] = binding.knowledgeBaseId;
    }
    node.config = config;
  }
  return { ...graph, nodes };
}

/** The graph a new flow gets from a template: bound, with fresh ids, upgraded, storable and valid. */
export function instantiateTemplateGraph(db: Db, teamId: string, source: GraphDoc, bindings: readonly TemplateBinding[]): GraphDoc {
  const bound = applyBindings(db, teamId, source, bindings);
  const { nodes, edges } = remapIds(bound, emptyGraph());
  const { graph, problems } = upgradeGraph({ schemaVersion: GRAPH_SCHEMA_VERSION, nodes, edges }, blockRegistry);
  if (problems.length > 0) throw badRequest(`This template cannot be used: ${problems.map((p) => p.message).slice(0, 3).join("; ")}`);
  const storable = StorableGraphSchema.safeParse(graph);
  if (!storable.success) {
    throw badRequest(`This template cannot be used: ${storable.error.issues.slice(0, 3).map((i) => i.message).join("; ")}`);
  }
  const errors = templateValidationErrors(storable.data);
  if (errors.length > 0) {
    throw badRequest(`This template cannot be used: ${errors.slice(0, 3).map((d) => `${d.code} ${d.message}`).join("; ")}`);
  }
  return storable.data;
}

export function useTemplate(db: Db, scope: TemplateScope, input: { id: string; name?: string; bindings?: TemplateBinding[] }): { flowId: string } {
  const row = loadVisibleTemplate(db, scope, input.id);
  const graph = instantiateTemplateGraph(db, scope.teamId, readTemplateGraph(row), input.bindings ?? []);
  const flow = createFlow(db, scope, { name: input.name ?? row.name.slice(0, 120), description: row.description.slice(0, 2_000), graph });
  db.transaction((tx) => {
    tx.update(templates).set({ uses: sql`${templates.uses} + 1` }).where(eq(templates.id, row.id)).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "template.use", targetId: row.id, detail: { flowId: flow.id } });
  });
  return { flowId: flow.id };
}
