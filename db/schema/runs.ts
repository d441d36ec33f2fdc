import { integer, sqliteTable, text, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth";
import { flows, flowVersions } from "./flows";
import { teams } from "./teams";

export const RUN_STATUSES = ["running", "succeeded", "failed", "cancelled", "timed_out"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** "stopped": the step did not fail itself but stopped because another failed (its detail's `causedBy`). */
export const STEP_STATUSES = ["running", "succeeded", "failed", "skipped", "stopped"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** One execution of a flow's agent part: what went in, what came out, how long and how much. */
export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** Null when the flow was deleted later; the run stays in the team's history. */
    flowId: text("flow_id").references(() => flows.id, { onDelete: "set null" }),
    flowVersionId: text("flow_version_id").references(() => flowVersions.id, { onDelete: "set null" }),
    /**
     * The graph that ran, so the run page can replay it even after the flow changed. JSON
     * `null` when `flowVersionId` names it (a published agent's runs): a version never changes,
     * and a copy per API request would grow the database by a graph per request. Deleting a
     * flow first copies its versions' graphs into such runs (flows.ts). (`null` as JSON, not
     * SQL NULL: dropping NOT NULL means rebuilding the table, which cascades to the steps.)
     */
    graph: text("graph", { mode: "json" }).notNull(),
    conversationId: text("conversation_id").notNull(),
    /** Where the run came from: the editor's test chat, the /v1 gateway, the API. */
    source: text("source", { enum: ["chat", "gateway", "api"] }).notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull(),
    input: text("input").notNull(),
    output: text("output"),
    error: text("error"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    /** Tool calls that failed: a run that answered anyway succeeded, and says this beside it. */
    failedToolCalls: integer("failed_tool_calls").notNull().default(0),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    durationMs: integer("duration_ms"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [index("runs_team_flow_idx").on(t.teamId, t.flowId, t.startedAt), index("runs_team_started_idx").on(t.teamId, t.startedAt)],
);

/** The trace: one row per node step, with its inputs, outputs, timing and error. */
export const runSteps = sqliteTable(
  "run_steps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** Order in which steps started within the run. */
    seq: integer("seq").notNull(),
    nodeId: text("node_id").notNull(),
    blockType: text("block_type").notNull(),
    status: text("status", { enum: STEP_STATUSES }).notNull(),
    inputs: text("inputs", { mode: "json" }).$type<Record<string, unknown>>(),
    outputs: text("outputs", { mode: "json" }).$type<Record<string, unknown>>(),
    /** Block-specific extras for the trace, e.g. an agent's tool calls. */
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    error: text("error"),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    durationMs: integer("duration_ms"),
  },
  (t) => [uniqueIndex("run_steps_run_seq_idx").on(t.runId, t.seq)],
);

/** Conversation memory: the messages a memory block keeps per conversation. */
export const conversationMessages = sqliteTable(
  "conversation_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id").notNull(),
    /** Which memory within the conversation (a flow may hold more than one memory block). */
    memoryKey: text("memory_key").notNull(),
    role: text("role", { enum: ["user", "assistant", "system", "tool"] }).notNull(),
    content: text("content").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("conversation_messages_lookup_idx").on(t.teamId, t.conversationId, t.memoryKey, t.id)],
);
