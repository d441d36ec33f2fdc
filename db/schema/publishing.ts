import { integer, sqliteTable, text, index, primaryKey, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth";
import { flows, flowVersions } from "./flows";
import { runs } from "./runs";
import { apiKeys } from "./secrets";
import { teams } from "./teams";

export const PUBLICATION_STATUSES = ["active", "unpublished"] as const;
export type PublicationStatus = (typeof PUBLICATION_STATUSES)[number];

/**
 * A flow served by the /v1 gateway: its slug is the OpenAI `model` name, and it runs the pinned
 * version until someone publishes a newer one. One publication per flow; unpublishing keeps the
 * row (and its run history) but stops serving at once.
 */
export const publishedAgents = sqliteTable(
  "published_agents",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    flowId: text("flow_id")
      .notNull()
      .unique()
      .references(() => flows.id, { onDelete: "cascade" }),
    /** The pinned version (versions are immutable and go only with their flow). */
    flowVersionId: text("flow_version_id")
      .notNull()
      .references(() => flowVersions.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    status: text("status", { enum: PUBLICATION_STATUSES }).notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("published_agents_team_slug_idx").on(t.teamId, t.slug)],
);

/** Which published agent and key a gateway run came from (the run itself is in `runs`). */
export const agentRuns = sqliteTable(
  "agent_runs",
  {
    runId: text("run_id")
      .primaryKey()
      .references(() => runs.id, { onDelete: "cascade" }),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    agentId: text("agent_id")
      .notNull()
      .references(() => publishedAgents.id, { onDelete: "cascade" }),
    apiKeyId: text("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("agent_runs_agent_started_idx").on(t.agentId, t.startedAt), index("agent_runs_key_idx").on(t.apiKeyId)],
);

/**
 * Daily usage per published agent, added to on every gateway request that named it: requests
 * (including refused and failed ones), errors, and the tokens its runs used. Days are UTC.
 */
export const agentUsageDaily = sqliteTable(
  "agent_usage_daily",
  {
    agentId: text("agent_id")
      .notNull()
      .references(() => publishedAgents.id, { onDelete: "cascade" }),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** YYYY-MM-DD (UTC). */
    day: text("day").notNull(),
    requests: integer("requests").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.day] })],
);
