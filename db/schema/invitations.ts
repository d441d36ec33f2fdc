import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth";
import { teams } from "./teams";

/** Roles an invitation may grant; ownership only moves by a transfer between members. */
export const INVITABLE_ROLES = ["viewer", "editor", "admin"] as const;
export type InvitableRole = (typeof INVITABLE_ROLES)[number];

export const INVITATION_STATUSES = ["pending", "accepted", "declined", "revoked"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/**
 * An offer to join a team, made to an email address. Nobody becomes a member until the person
 * logged in with that email accepts. The link's token is stored only as its SHA-256; a pending
 * row past `expiresAt` is expired. Rows stay after they are resolved, so a used link says so.
 */
export const teamInvitations = sqliteTable(
  "team_invitations",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** Lower-cased and trimmed, like users.email, so the accept check is exact. */
    email: text("email").notNull(),
    role: text("role", { enum: INVITABLE_ROLES }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    status: text("status", { enum: INVITATION_STATUSES }).notNull(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    // One open invitation per email and team: inviting again re-issues it.
    uniqueIndex("team_invitations_pending_idx").on(t.teamId, t.email).where(sql`status = 'pending'`),
    index("team_invitations_team_idx").on(t.teamId, t.status),
  ],
);
