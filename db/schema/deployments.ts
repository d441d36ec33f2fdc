import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth";
import { flows, flowVersions } from "./flows";
import { apiKeys } from "./secrets";
import { teams } from "./teams";

/**
 * What teams deploy on the compute marketplace (ADR 028): a flow's deployments (one row per
 * marketplace deployment: a flow's deployment group of workloads at one flow version), the
 * one-click model endpoints, the requests they served, and the teams' node join tokens. The
 * marketplace's own tables (market_*) hold orders, bids and leases; these say whose they are.
 */

/**
 * "active": running or being ordered; "replacing": a newer version is being ordered and this
 * one keeps serving until it is ready; "stopped": closed by the team (or replaced).
 */
export const FLOW_DEPLOYMENT_STATES = ["active", "replacing", "stopped"] as const;
export type FlowDeploymentState = (typeof FLOW_DEPLOYMENT_STATES)[number];

export type DeployedWorkload = { node: string; name: string; servedName: string | null };

export const flowDeployments = sqliteTable(
  "flow_deployments",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    flowId: text("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    /** The flow version deployed (snapshotted at deploy time; versions are immutable). */
    flowVersionId: text("flow_version_id")
      .notNull()
      .references(() => flowVersions.id, { onDelete: "cascade" }),
    /** The deployment group's name (a flow with several groups has one row per group). */
    groupName: text("group_name").notNull(),
    /**
     * The marketplace's id for it: a row of market_deployments with MARKETPLACE=local, the
     * cluster's or Spheron's id otherwise, so no foreign key (with one, no other marketplace could deploy).
     */
    marketDeploymentId: text("market_deployment_id").notNull().unique(),
    /** The graph's workloads in this deployment: node id, service name, served model name. */
    workloads: text("workloads", { mode: "json" }).$type<DeployedWorkload[]>().notNull(),
    replicas: integer("replicas").notNull(),
    /** null: until stopped. */
    durationHours: integer("duration_hours"),
    state: text("state", { enum: FLOW_DEPLOYMENT_STATES }).notNull(),
    /** The deployment this one replaces once it is ready (redeploy, change replicas). */
    replacesId: text("replaces_id"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    stoppedAt: integer("stopped_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("flow_deployments_team_flow_idx").on(t.teamId, t.flowId, t.createdAt)],
);

export const ENDPOINT_STATES = ["running", "stopped"] as const;
export type EndpointState = (typeof ENDPOINT_STATES)[number];

/** A one-click model endpoint: a model from the catalog served at `<host>/v1` as `slug`. */
export const modelEndpoints = sqliteTable(
  "model_endpoints",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** The OpenAI `model` name clients use; unique in the team, kept across stop and start. */
    slug: text("slug").notNull(),
    modelId: text("model_id").notNull(),
    gpu: text("gpu").notNull(),
    mode: text("mode", { enum: ["provider", "fizz"] }).notNull(),
    /** null: until stopped. */
    durationHours: integer("duration_hours"),
    /** Minutes without a request before it sleeps; null: never. */
    idleMinutes: integer("idle_minutes"),
    /** Max price the team accepts, wei per second (decimal string). */
    maxPriceWeiPerSecond: text("max_price_wei_per_second").notNull(),
    /** The current marketplace deployment; a start makes a new one (same slug). No foreign key: see flowDeployments. */
    marketDeploymentId: text("market_deployment_id"),
    state: text("state", { enum: ENDPOINT_STATES }).notNull(),
    lastRequestAt: integer("last_request_at", { mode: "timestamp_ms" }),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("model_endpoints_team_slug_idx").on(t.teamId, t.slug)],
);

/** One request an endpoint served through the gateway (metrics and the request log). */
export const endpointRequests = sqliteTable(
  "endpoint_requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => modelEndpoints.id, { onDelete: "cascade" }),
    apiKeyId: text("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    /** The HTTP status answered. */
    status: integer("status").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("endpoint_requests_endpoint_at_idx").on(t.endpointId, t.at)],
);

/** Tokens a node presents to join this Skyloom's marketplace (`skyloom node --token`). */
export const nodeJoinTokens = sqliteTable(
  "node_join_tokens",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** sha256 of the token; the token is shown once, when made. */
    tokenHash: text("token_hash").notNull().unique(),
    /** The token's first characters, to tell tokens apart in the list. */
    prefix: text("prefix").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("node_join_tokens_team_idx").on(t.teamId)],
);
