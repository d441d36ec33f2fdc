import { integer, sqliteTable, text, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth";
import { teams } from "./teams";

/**
 * A flow's graph is stored as JSON text and parsed with the GraphDoc schema on every read
 * (db/repos/flows.ts), so a row that drifted from the schema is caught, not rendered.
 */
export const flows = sqliteTable(
  "flows",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    graph: text("graph", { mode: "json" }).notNull(),
    /** Bumped on every save; a save must name the revision it started from. */
    revision: integer("revision").notNull().default(1),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("flows_team_idx").on(t.teamId, t.updatedAt)],
);

/** Immutable snapshots of a flow's graph. */
export const flowVersions = sqliteTable(
  "flow_versions",
  {
    id: text("id").primaryKey(),
    flowId: text("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    message: text("message").notNull(),
    graph: text("graph", { mode: "json" }).notNull(),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("flow_versions_number_idx").on(t.flowId, t.number)],
);
