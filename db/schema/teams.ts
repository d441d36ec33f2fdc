import { sql } from "drizzle-orm";
import { integer, primaryKey, sqliteTable, text, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth";

export const TEAM_ROLES = ["viewer", "editor", "admin", "owner"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export const teams = sqliteTable("teams", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** The team created with an account; it cannot be left or deleted while the account exists. */
  personal: integer("personal", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export const memberships = sqliteTable(
  "memberships",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: TEAM_ROLES }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId] }),
    index("memberships_user_idx").on(t.userId),
    // At most one owner per team, whatever the code above does (a transfer demotes first).
    uniqueIndex("memberships_one_owner_idx").on(t.teamId).where(sql`role = 'owner'`),
  ],
);
