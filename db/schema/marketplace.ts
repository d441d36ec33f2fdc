import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { teams } from "./teams";

/**
 * The local compute marketplace (server/marketplace/local, ADR 024): nodes that joined, the
 * deployments teams asked for, each deployment's orders (one per attempt: a failover re-orders),
 * the nodes' bids, the leases won, and the event log. Everything the matchmaker knows is here,
 * so a restart reloads open orders and leases (marketplace spec §1.10).
 *
 * Money columns are decimal strings of SPON base units (18 decimals): wei per second and wei
 * totals can pass 2^63, so they are bigints in code and text here, never floats.
 */

export const MARKET_NODE_KINDS = ["provider", "fizz"] as const;
export const MARKET_NODE_STATUSES = ["up", "down"] as const;

export const marketNodes = sqliteTable("market_nodes", {
  id: text("id").primaryKey(),
  kind: text("kind", { enum: MARKET_NODE_KINDS }).notNull(),
  name: text("name").notNull(),
  region: text("region").notNull(),
  tier: text("tier").notNull(),
  /** sha256 of the node's secret; the secret itself is only on the node. */
  secretHash: text("secret_hash").notNull(),
  /** NodeInventory as JSON: GPUs by model, CPU, memory, storage. */
  inventory: text("inventory", { mode: "json" }).notNull(),
  /** NodeCapabilities as JSON: what workloads it runs and with which backend. */
  capabilities: text("capabilities", { mode: "json" }).notNull(),
  status: text("status", { enum: MARKET_NODE_STATUSES }).notNull(),
  /** The team whose join token admitted the node (its earnings go to that team); null for the host's own nodes. */
  teamId: text("team_id"),
  /** Where the node's lease earnings are paid (checksummed, `skyloom node --payout-address`); null: an address derived from its id. */
  payoutAddress: text("payout_address"),
  joinedAt: integer("joined_at", { mode: "timestamp_ms" }).notNull(),
  lastHeartbeatAt: integer("last_heartbeat_at", { mode: "timestamp_ms" }).notNull(),
});

/** "sleeping": scaled to zero (no lease); the next request wakes it with a new order. */
export const MARKET_DEPLOYMENT_STATUSES = ["ordering", "leased", "ready", "sleeping", "failed", "closed"] as const;

export const marketDeployments = sqliteTable(
  "market_deployments",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    status: text("status", { enum: MARKET_DEPLOYMENT_STATUSES }).notNull(),
    /** Why it failed or closed, in words a person can act on. */
    statusMessage: text("status_message"),
    /** The manifest envelope exactly as nodes receive it, and its sha256 (hex). */
    manifest: text("manifest").notNull(),
    manifestHash: text("manifest_hash").notNull(),
    /** OrderRequirements as JSON: what a node must offer to bid. */
    requirements: text("requirements", { mode: "json" }).notNull(),
    maxPriceWeiPerSecond: text("max_price_wei_per_second").notNull(),
    durationSeconds: integer("duration_seconds").notNull(),
    escrowWei: text("escrow_wei").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** When the deployment's paid time ends (set when its first lease starts). */
    endsAt: integer("ends_at", { mode: "timestamp_ms" }),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("market_deployments_team_idx").on(t.teamId, t.createdAt), index("market_deployments_status_idx").on(t.status)],
);

export const MARKET_ORDER_STATES = ["open", "matched", "closed"] as const;

export const marketOrders = sqliteTable(
  "market_orders",
  {
    id: text("id").primaryKey(),
    deploymentId: text("deployment_id")
      .notNull()
      .references(() => marketDeployments.id, { onDelete: "cascade" }),
    /** 1 for the first order, 2 for the first re-order after a failover, … */
    attempt: integer("attempt").notNull(),
    state: text("state", { enum: MARKET_ORDER_STATES }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** Bids are taken until then (or until every live node answered). */
    bidDeadline: integer("bid_deadline", { mode: "timestamp_ms" }).notNull(),
    /** Nodes that may not win this order (the one whose lease just failed). */
    excludedNodes: text("excluded_nodes", { mode: "json" }).$type<string[]>().notNull(),
    closedReason: text("closed_reason"),
  },
  (t) => [index("market_orders_state_idx").on(t.state), index("market_orders_deployment_idx").on(t.deploymentId)],
);

/** A node's answer to an order: a bid (price set) or a decline (reason set). */
export const marketBids = sqliteTable(
  "market_bids",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => marketOrders.id, { onDelete: "cascade" }),
    nodeId: text("node_id")
      .notNull()
      .references(() => marketNodes.id, { onDelete: "cascade" }),
    priceWeiPerSecond: text("price_wei_per_second"),
    gpuModel: text("gpu_model"),
    declineReason: text("decline_reason"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  // One answer per node per order: a node that restarts cannot double-bid.
  (t) => [uniqueIndex("market_bids_order_node_idx").on(t.orderId, t.nodeId)],
);

export const MARKET_LEASE_STATES = ["awaiting-manifest", "active", "closed"] as const;

export const marketLeases = sqliteTable(
  "market_leases",
  {
    id: text("id").primaryKey(),
    deploymentId: text("deployment_id")
      .notNull()
      .references(() => marketDeployments.id, { onDelete: "cascade" }),
    orderId: text("order_id")
      .notNull()
      .references(() => marketOrders.id, { onDelete: "cascade" }),
    nodeId: text("node_id")
      .notNull()
      .references(() => marketNodes.id, { onDelete: "cascade" }),
    priceWeiPerSecond: text("price_wei_per_second").notNull(),
    gpuModel: text("gpu_model"),
    gpuCount: integer("gpu_count").notNull(),
    state: text("state", { enum: MARKET_LEASE_STATES }).notNull(),
    /** Bearer key of the lease's endpoint on the node (server-side only; the gateway uses it). */
    accessToken: text("access_token").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** The watchdog closes the lease if the node has not accepted the manifest by then. */
    manifestDeadline: integer("manifest_deadline", { mode: "timestamp_ms" }).notNull(),
    manifestAcceptedAt: integer("manifest_accepted_at", { mode: "timestamp_ms" }),
    /** LeaseServiceStatus[] as JSON, as the node last reported it. */
    services: text("services", { mode: "json" }).$type<unknown[]>().notNull(),
    /** LeaseMetrics as JSON, as the node last reported them. */
    metrics: text("metrics", { mode: "json" }),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
    closeReason: text("close_reason"),
  },
  (t) => [index("market_leases_node_state_idx").on(t.nodeId, t.state), index("market_leases_deployment_idx").on(t.deploymentId)],
);

export const marketEvents = sqliteTable(
  "market_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deploymentId: text("deployment_id")
      .notNull()
      .references(() => marketDeployments.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("market_events_deployment_idx").on(t.deploymentId, t.id)],
);

export const marketLeaseLogs = sqliteTable(
  "market_lease_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    leaseId: text("lease_id")
      .notNull()
      .references(() => marketLeases.id, { onDelete: "cascade" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    line: text("line").notNull(),
  },
  (t) => [index("market_lease_logs_lease_idx").on(t.leaseId, t.id)],
);
