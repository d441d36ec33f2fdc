import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Billing beside the ledger (ADR 030): spend limits, the daily usage rollup the charts and the
 * limits read, and which provider addresses a team's nodes are paid to. Amounts are wei as
 * canonical decimal TEXT, like the ledger's (db/schema/ledger.ts says why not INTEGER). No
 * foreign keys to teams or keys: billing history outlives what it was about.
 */

/** A monthly spend limit (UTC calendar month) on /v1 usage: the team's (api_key_id "") or one API key's. */
export const billingLimits = sqliteTable(
  "billing_limits",
  {
    teamId: text("team_id").notNull(),
    /** "" for the team's own limit, else the API key's id. */
    apiKeyId: text("api_key_id").notNull(),
    monthlyWei: text("monthly_wei").notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.apiKeyId] })],
);

/** /v1 usage per team, UTC day, agent and API key: what it cost (posted with the run, in its transaction). */
export const billingUsageDaily = sqliteTable(
  "billing_usage_daily",
  {
    teamId: text("team_id").notNull(),
    /** YYYY-MM-DD (UTC). */
    day: text("day").notNull(),
    agentId: text("agent_id").notNull(),
    apiKeyId: text("api_key_id").notNull(),
    requests: integer("requests").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    /**
     * What the day's requests cost, exactly, as whole SPON + the wei below one SPON: two
     * INTEGERs SQL can add in the upsert itself (a day of one key can pass the 9.2 SPON a
     * 64-bit wei total holds; wei below 10^18 twice still fits, so the carry is exact).
     */
    costSpon: integer("cost_spon").notNull(),
    costWeiFraction: integer("cost_wei_fraction").notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.day, t.agentId, t.apiKeyId] }), index("billing_usage_daily_key_idx").on(t.apiKeyId, t.day)],
);

/** A provider address (where the escrow pays a node's earnings) and the team that runs the node. */
export const billingProviders = sqliteTable(
  "billing_providers",
  {
    /** 0x address, lower case. */
    address: text("address").primaryKey(),
    teamId: text("team_id").notNull(),
    /** The node's name, for the earnings list. */
    label: text("label").notNull(),
    /** The marketplace node paid to this address, when known. */
    nodeId: text("node_id"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("billing_providers_team_idx").on(t.teamId), uniqueIndex("billing_providers_node_idx").on(t.nodeId)],
);
