import { and, asc, desc, eq, ne, or, sql, type SQL } from "drizzle-orm";
import { blockRegistry } from "#agents/blocks/index";
import { nodeLabel, upgradeGraph, GraphFormatError, type GraphDoc } from "#agents/graph/index";
import type { Db, DbLike } from "#db/client";
import { credentials, knowledgeBases, teams, templates, templateVersions, TEAM_ROLES, type TeamRole, type TemplateVisibility } from "#db/schema";
import { badRequest, forbidden, notFound } from "./errors";
import { presetForUrl } from "#agents/catalog/providers";
import { stripTemplateSecrets, type TemplateNeed } from "./template-secrets";
import type { TeamScope } from "./flows";

/**
 * Reading the template gallery: three shelves (Skyloom's own, the team's, public ones shared
 * by other teams), one template with its readme, graph and what the team still lacks, and the
 * access rules every other template procedure starts from. Writes are in template-writes.ts,
 * "use template" in template-use.ts, the seeded shelf in template-seeds.ts.
 */

/** The acting person, their team and role there: every rule below reads it. */
export type TemplateScope = TeamScope & { role: TeamRole };

export const SHELVES = ["skyloom", "team", "public"] as const;
export type Shelf = (typeof SHELVES)[number];

/** Just enough of a graph to draw a thumbnail: no configs. */
export type TemplateThumbnail = {
  nodes: { id: string; type: string; label: string; position: { x: number; y: number } }[];
  edges: { source: string; target: string }[];
};

export type TemplateCard = {
  id: string;
  name: string;
  description: string;
  category: string;
  tags: string[];
  shelf: Shelf;
  teamName: string | null;
  visibility: TemplateVisibility;
  version: number;
  uses: number;
  updatedAt: Date;
  needs: TemplateNeed[];
  graph: TemplateThumbnail;
  /** Whether the caller may update, unshare or delete it (their team's, with the role it needs). */
  canManage: boolean;
};

type TemplateRow = typeof templates.$inferSelect;

export const isAtLeast = (role: TeamRole, min: TeamRole) => TEAM_ROLES.indexOf(role) >= TEAM_ROLES.indexOf(min);

/** A private (unshared) template is seen by its author and the team's admins only. */
function seesPrivate(scope: TemplateScope): SQL {
  return isAtLeast(scope.role, "admin") ? sql`1 = 1` : eq(templates.createdBy, scope.userId);
}

/** The templates a scope may read: Skyloom's and public ones, and its own team's (private ones as above). */
function visibleTo(scope: TemplateScope): SQL {
  return or(
    eq(templates.visibility, "skyloom"),
    eq(templates.visibility, "public"),
    and(eq(templates.teamId, scope.teamId), or(ne(templates.visibility, "private"), seesPrivate(scope))),
  ) as SQL;
}

function onShelf(shelf: Shelf, scope: TemplateScope): SQL {
  if (shelf === "skyloom") return eq(templates.visibility, "skyloom");
  if (shelf === "public") return and(eq(templates.visibility, "public"), ne(templates.teamId, scope.teamId)) as SQL;
  return and(eq(templates.teamId, scope.teamId), or(ne(templates.visibility, "private"), seesPrivate(scope))) as SQL;
}

function shelfOf(row: Pick<TemplateRow, "teamId" | "visibility">, scope: TemplateScope): Shelf {
  if (row.teamId === null) return "skyloom";
  return row.teamId === scope.teamId ? "team" : "public";
}

/** Update, unshare, delete: the team's editors, admins only for a public template. */
export function canManage(row: Pick<TemplateRow, "teamId" | "visibility">, scope: TemplateScope): boolean {
  if (row.teamId !== scope.teamId) return false;
  return isAtLeast(scope.role, row.visibility === "public" ? "admin" : "editor");
}

export function thumbnailOf(graph: unknown): TemplateThumbnail {
  const doc = graph as Partial<GraphDoc> | null;
  const nodes = Array.isArray(doc?.nodes) ? doc.nodes : [];
  const edges = Array.isArray(doc?.edges) ? doc.edges : [];
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.type,
      label: nodeLabel(n, blockRegistry.get(n.type)?.title ?? n.type),
      position: { x: n.ui?.x ?? 0, y: n.ui?.y ?? 0 },
    })),
    edges: edges.map((e) => ({ source: e.from.node, target: e.to.node })),
  };
}

function toCard(row: TemplateRow, teamName: string | null, scope: TemplateScope): TemplateCard {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    category: row.category,
    tags: row.tags,
    shelf: shelfOf(row, scope),
    teamName,
    visibility: row.visibility,
    version: row.version,
    uses: row.uses,
    updatedAt: row.updatedAt,
    needs: row.needs,
    graph: thumbnailOf(row.graph),
    canManage: canManage(row, scope),
  };
}

/** `%…%` for LIKE, with the user's own % and _ taken literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export type ListInput = { shelf: Shelf; search?: string; category?: string; tag?: string; limit?: number; offset?: number };

/**
 * One shelf's cards, filtered by words (name, description, tags), category and tag, with the
 * shelf's categories and tags for the filters (those of the whole shelf, so picking one does
 * not hide the others). Filtering and paging happen in SQL, so a large shelf stays fast.
 */
export function listTemplates(db: Db, scope: TemplateScope, input: ListInput) {
  const shelf = onShelf(input.shelf, scope);
  const filters: SQL[] = [shelf];
  const search = input.search?.trim();
  if (search) {
    const pattern = likePattern(search.toLowerCase());
    filters.push(
      sql`(lower(${templates.name}) like ${pattern} escape '\\' or lower(${templates.description}) like ${pattern} escape '\\' or lower(${templates.tags}) like ${pattern} escape '\\')`,
    );
  }
  if (input.category) filters.push(eq(templates.category, input.category));
  if (input.tag) filters.push(sql`exists (select 1 from json_each(${templates.tags}) where value = ${input.tag})`);
  const order = input.shelf === "skyloom" ? [sql`${templates.featuredRank} is null`, asc(templates.featuredRank), asc(templates.name)] : [desc(templates.updatedAt)];
  const rows = db
    .select({ template: templates, teamName: teams.name })
    .from(templates)
    .leftJoin(teams, eq(teams.id, templates.teamId))
    .where(and(...filters))
    .orderBy(...order)
    .limit(input.limit ?? 100)
    .offset(input.offset ?? 0)
    .all();
  const total = db.select({ n: sql<number>`count(*)` }).from(templates).where(and(...filters)).get()?.n ?? 0;
  const categories = db.selectDistinct({ category: templates.category }).from(templates).where(shelf).orderBy(asc(templates.category)).all();
  const tags = db
    .selectDistinct({ tag: sql<string>`tag.value` })
    .from(sql`${templates}, json_each(${templates.tags}) as tag`)
    .where(shelf)
    .orderBy(sql`tag.value`)
    .all();
  return {
    templates: rows.map((r) => toCard(r.template, r.teamName, scope)),
    total,
    categories: categories.map((c) => c.category),
    tags: tags.map((t) => t.tag),
  };
}

/** The four Skyloom templates the empty dashboard offers, in order. */
export function featuredTemplates(db: Db, scope: TemplateScope): TemplateCard[] {
  return db
    .select()
    .from(templates)
    .where(and(eq(templates.visibility, "skyloom"), sql`${templates.featuredRank} is not null`))
    .orderBy(asc(templates.featuredRank))
    .limit(4)
    .all()
    .map((row) => toCard(row, null, scope));
}

/** A template the scope may read, or NOT_FOUND (another team's unshared one looks like none). */
export function loadVisibleTemplate(db: DbLike, scope: TemplateScope, id: string): TemplateRow & { teamName: string | null } {
  const found = db
    .select({ template: templates, teamName: teams.name })
    .from(templates)
    .leftJoin(teams, eq(teams.id, templates.teamId))
    .where(and(eq(templates.id, id), visibleTo(scope)))
    .get();
  if (!found) throw notFound("Template");
  return { ...found.template, teamName: found.teamName };
}

/**
 * A template the scope may change, or why not: NOT_FOUND when it cannot see it, FORBIDDEN
 * with the reason for Skyloom's own, another team's public one, or a public one without admin.
 */
export function loadManagedTemplate(db: DbLike, scope: TemplateScope, id: string, doing: string) {
  const row = loadVisibleTemplate(db, scope, id);
  if (row.teamId === null) throw forbidden(`Skyloom's own templates cannot be changed; use it to make a flow of your own, then save that as a template.`);
  if (row.teamId !== scope.teamId) {
    throw forbidden(`This template belongs to ${row.teamName ?? "another team"}; only that team can ${doing} it. Use it to make a flow of your own instead.`);
  }
  if (!canManage(row, scope)) throw forbidden(`Only the team's admins can ${doing} a public template; you are ${scope.role === "editor" ? "an" : "a"} ${scope.role}.`);
  return row;
}

/** A stored template graph, upgraded to this build and stripped; a graph no longer readable is refused by name. */
export function readTemplateGraph(row: Pick<TemplateRow, "graph" | "name">): GraphDoc {
  try {
    const upgraded = upgradeGraph(row.graph, blockRegistry);
    if (upgraded.problems.length > 0) {
      throw badRequest(`Template "${row.name}" cannot be used: ${upgraded.problems.map((p) => p.message).slice(0, 3).join("; ")}`);
    }
    // Stored graphs are stripped when shared; stripping again on the way out keeps a row written
    // under older rules from handing anything secret to another team.
    return stripTemplateSecrets(upgraded.graph).graph;
  } catch (error) {
    if (!(error instanceof GraphFormatError)) throw error;
    throw badRequest(`Template "${row.name}" cannot be used: ${error.message} ${error.details().slice(0, 3).join("; ")}`);
  }
}

/** What of the template's needs the team does not have yet: no key for the provider, no knowledge base. */
export function missingNeeds(db: Db, teamId: string, needs: readonly TemplateNeed[]): TemplateNeed[] {
  if (needs.length === 0) return [];
  const creds = db.select({ kind: credentials.kind, meta: credentials.meta }).from(credentials).where(eq(credentials.teamId, teamId)).all();
  const hasBase = db.select({ id: knowledgeBases.id }).from(knowledgeBases).where(eq(knowledgeBases.teamId, teamId)).limit(1).get() !== undefined;
  const providerOfCredential = (c: (typeof creds)[number]) => presetForUrl(c.meta.baseUrl ?? "")?.id ?? "openai";
  return needs.filter((need) => {
    if (need.kind === "knowledge-base") return !hasBase;
    if (need.kind === "credential") return creds.length === 0;
    if (need.kind === "chat-model-credential") {
      return !creds.some((c) => c.kind === "openai" && (need.provider === undefined || need.provider === "custom" || providerOfCredential(c) === need.provider));
    }
    return false; // a deployed model is what using the template sets up, not something to have first
  });
}

/** One template with its readme, its whole graph (for the read-only canvas), versions and what the team lacks. */
export function getTemplate(db: Db, scope: TemplateScope, id: string) {
  const row = loadVisibleTemplate(db, scope, id);
  const versions = db
    .select({ number: templateVersions.number, createdAt: templateVersions.createdAt })
    .from(templateVersions)
    .where(eq(templateVersions.templateId, row.id))
    .orderBy(desc(templateVersions.number))
    .all();
  return {
    ...toCard(row, row.teamName, scope),
    readme: row.readme,
    fullGraph: readTemplateGraph(row),
    missing: missingNeeds(db, scope.teamId, row.needs),
    versions,
  };
}
