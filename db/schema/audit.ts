import { integer, sqliteTable, text, index } from "drizzle-orm/sqlite-core";

/** Who did what, kept even when the actor or the target is later deleted. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    teamId: text("team_id"),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    targetId: text("target_id"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("audit_team_idx").on(t.teamId, t.at)],
);
