import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth";
import { teams } from "./teams";

/**
 * Who sees a template: `skyloom` (the seeded shelf, no team), `team` (its team's members),
 * `public` (everyone, as data only) or `private` (unshared: its author and the team's admins).
 */
export const TEMPLATE_VISIBILITIES = ["skyloom", "team", "public", "private"] as const;
export type TemplateVisibility = (typeof TEMPLATE_VISIBILITIES)[number];

/** What a template asks of the team that uses it (never a credential: only what kind is needed). */
export type TemplateNeedRow = {
  kind: "chat-model-credential" | "deployed-model" | "knowledge-base" | "credential";
  label: string;
  provider?: string;
  nodeIds: string[];
};

/**
 * Templates: flow graphs shared by a team or publicly, or seeded by Skyloom. The graph is
 * stored stripped of credentials and secrets (server/services/template-secrets.ts) and parsed
 * with the GraphDoc schema and upgraded on every read.
 */
export const templates = sqliteTable(
  "templates",
  {
    id: text("id").primaryKey(),
    /** Null for Skyloom's own (seeded) templates. */
    teamId: text("team_id").references(() => teams.id, { onDelete: "cascade" }),
    /** The seed file's name for Skyloom's templates (idempotent loading); null for teams'. */
    seedKey: text("seed_key"),
    visibility: text("visibility", { enum: TEMPLATE_VISIBILITIES }).notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    category: text("category").notNull(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    readme: text("readme").notNull().default(""),
    graph: text("graph", { mode: "json" }).notNull(),
    needs: text("needs", { mode: "json" }).$type<TemplateNeedRow[]>().notNull(),
    /** Bumped by every update; each version's graph is kept in template_versions. */
    version: integer("version").notNull().default(1),
    uses: integer("uses").notNull().default(0),
    /** Order on the empty dashboard (1 = first); null when not featured. */
    featuredRank: integer("featured_rank"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("templates_team_idx").on(t.teamId, t.updatedAt),
    index("templates_visibility_idx").on(t.visibility, t.updatedAt),
    uniqueIndex("templates_seed_key_idx").on(t.seedKey),
  ],
);

/** Every version a template had: the graph and words it captured, numbered from 1. */
export const templateVersions = sqliteTable(
  "template_versions",
  {
    id: text("id").primaryKey(),
    templateId: text("template_id")
      .notNull()
      .references(() => templates.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    name: text("name").notNull(),
    graph: text("graph", { mode: "json" }).notNull(),
    /** The flow it was captured from, when it still exists. */
    sourceFlowId: text("source_flow_id"),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("template_versions_number_idx").on(t.templateId, t.number)],
);
