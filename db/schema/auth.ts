import { integer, sqliteTable, text, index, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { teams } from "./teams";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Always stored lower-cased and trimmed, so lookups are exact. */
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  /** scrypt$N$r$p$salt$hash, never the password. */
  passwordHash: text("password_hash").notNull(),
  /**
   * The team this person last opened themselves (switching, creating, or choosing it when
   * accepting an invitation); a login opens it while they are still a member. Joining a team
   * never sets it, so nobody else can decide which team a login lands in.
   */
  lastTeamId: text("last_team_id").references((): AnySQLiteColumn => teams.id, { onDelete: "set null" }),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    /** SHA-256 of the cookie token: a stolen database does not yield live sessions. */
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    activeTeamId: text("active_team_id").references(() => teams.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);
