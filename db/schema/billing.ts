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

/**
 * One escrow order per marketplace lease attempt (ADR 031): reserved in the ledger, locked on
 * the chain, started as a lease at the winning bid's wei/s, closed when the lease ends. The
 * rows let the host carry each order forward after a restart and name what a lease paid for.
 */
export const LEASE_ESCROW_STATES = ["reserved", "locked", "leased", "closed", "unlocked", "released"] as const;
export type LeaseEscrowState = (typeof LEASE_ESCROW_STATES)[number];

export const leaseEscrows = sqliteTable(
  "lease_escrows",
  {
    /** The escrow's bytes32 order id, 0x-prefixed lower-case hex (random). */
    orderId: text("order_id").primaryKey(),
    teamId: text("team_id").notNull(),
    /** What it pays for: an endpoint (`ep_…`) or a flow deployment (`fdep_…`), and its name. */
    subjectKind: text("subject_kind", { enum: ["endpoint", "deployment"] }).notNull(),
    subjectId: text("subject_id").notNull(),
    subjectLabel: text("subject_label").notNull(),
    /** The marketplace deployment, once placed; the market order and lease it paid, once started. */
    marketDeploymentId: text("market_deployment_id"),
    marketOrderId: text("market_order_id"),
    leaseId: text("lease_id"),
    nodeId: text("node_id"),
    providerAddress: text("provider_address"),
    /** Decimal wei (TEXT: past 2^63). */
    escrowWei: text("escrow_wei").notNull(),
    ratePerSecond: text("rate_per_second"),
    /** What the lease paid its provider in all, once closed. */
    paidWei: text("paid_wei"),
    state: text("state", { enum: LEASE_ESCROW_STATES }).notNull(),
    /** The chain's lease start (block time, seconds). */
    startedAt: integer("started_at"),
    /** Why it ended, when billing ended it ("funds ran out …"). */
    stopMessage: text("stop_message"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("lease_escrows_deployment_idx").on(t.marketDeploymentId),
    index("lease_escrows_subject_idx").on(t.teamId, t.subjectId),
    index("lease_escrows_state_idx").on(t.state),
  ],
);
