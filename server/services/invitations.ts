import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import type { Db, DbLike } from "#db/client";
import { auditLog, memberships, teamInvitations, teams, users, type InvitableRole, type InvitationStatus } from "#db/schema";
import { newId } from "#agents/graph/ids";
import type { SessionUser } from "./accounts";
import { recordAudit } from "./audit";
import { randomToken, sha256Hex } from "./crypto";
import { conflict, DomainError, forbidden, notFound } from "./errors";
import type { TeamScope } from "./flows";
import { openTeam, requireRole } from "./teams";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Open invitations a team may have at once; more is a sign of a script, not of a team. */
export const MAX_PENDING_INVITATIONS = 100;
/** Invitations (new or re-issued) a team may send per hour: each one may become an email. */
export const MAX_INVITATIONS_PER_HOUR = 30;

const ISSUE_ACTIONS = ["team.invitation.create", "team.invitation.reissue"];

export type InvitationView = {
  id: string;
  email: string;
  role: InvitableRole;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
};

type InvitationRow = typeof teamInvitations.$inferSelect;

function toView(row: InvitationRow, invitedBy: string | null, now: number): InvitationView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    invitedBy,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    expired: row.expiresAt.getTime() <= now,
  };
}

/**
 * Invites an email address into the team with a role, or re-issues the open invitation for it
 * (a new link; the old one stops working). The answer never depends on whether the address
 * has a Skyloom account: nothing here looks accounts up, except among the team's own members,
 * whom the caller can already list. Returns the token once; only its hash is stored.
 */
export function issueInvitation(db: Db, scope: TeamScope, input: { email: string; role: InvitableRole }, now = Date.now()) {
  return db.transaction((tx) => {
    requireRole(tx, scope, "admin");
    const member = tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.teamId, scope.teamId), eq(users.email, input.email)))
      .get();
    if (member) throw conflict(`${input.email} is already a member of this team.`);
    if (sentInLastHour(tx, scope.teamId, now) >= MAX_INVITATIONS_PER_HOUR) {
      throw new DomainError("TOO_MANY_REQUESTS", `This team has sent ${MAX_INVITATIONS_PER_HOUR} invitations in the last hour; try again later.`);
    }

    const token = randomToken();
    const fresh = { role: input.role, tokenHash: sha256Hex(token), invitedBy: scope.userId, createdAt: new Date(now), expiresAt: new Date(now + INVITATION_TTL_MS) };
    const open = tx
      .select()
      .from(teamInvitations)
      .where(and(eq(teamInvitations.teamId, scope.teamId), eq(teamInvitations.email, input.email), eq(teamInvitations.status, "pending")))
      .get();
    let row: InvitationRow;
    if (open) {
      row = { ...open, ...fresh };
      tx.update(teamInvitations).set(fresh).where(eq(teamInvitations.id, open.id)).run();
    } else {
      if (countPending(tx, scope.teamId) >= MAX_PENDING_INVITATIONS) {
        throw conflict(`This team has ${MAX_PENDING_INVITATIONS} open invitations; revoke some before inviting more.`);
      }
      row = { id: newId("inv"), teamId: scope.teamId, email: input.email, status: "pending", resolvedAt: null, ...fresh };
      tx.insert(teamInvitations).values(row).run();
    }
    recordAudit(tx, {
      teamId: scope.teamId,
      actorId: scope.userId,
      action: open ? "team.invitation.reissue" : "team.invitation.create",
      targetId: row.id,
      detail: { email: input.email, role: input.role },
    });
    const inviter = tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, scope.userId)).get();
    const team = tx.select({ name: teams.name }).from(teams).where(eq(teams.id, scope.teamId)).get();
    return {
      invitation: toView(row, inviter?.name ?? null, now),
      reissued: open !== undefined,
      token,
      teamName: team?.name ?? "",
      inviter: inviter ?? { name: "", email: "" },
    };
  });
}

function sentInLastHour(db: DbLike, teamId: string, now: number): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(auditLog)
    .where(and(eq(auditLog.teamId, teamId), gte(auditLog.at, new Date(now - 60 * 60 * 1000)), inArray(auditLog.action, ISSUE_ACTIONS)))
    .get();
  return row?.n ?? 0;
}

function countPending(db: DbLike, teamId: string): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(teamInvitations)
    .where(and(eq(teamInvitations.teamId, teamId), eq(teamInvitations.status, "pending")))
    .get();
  return row?.n ?? 0;
}

/** The team's open invitations, newest first; expired ones are marked so they can be re-sent or revoked. */
export function listPendingInvitations(db: Db, scope: TeamScope, now = Date.now()): InvitationView[] {
  return db
    .select({ row: teamInvitations, invitedBy: users.name })
    .from(teamInvitations)
    .leftJoin(users, eq(users.id, teamInvitations.invitedBy))
    .where(and(eq(teamInvitations.teamId, scope.teamId), eq(teamInvitations.status, "pending")))
    .orderBy(desc(teamInvitations.createdAt))
    .limit(MAX_PENDING_INVITATIONS)
    .all()
    .map((r) => toView(r.row, r.invitedBy, now));
}

const RESOLVED_MESSAGES: Record<Exclude<InvitationStatus, "pending">, string> = {
  accepted: "This invitation has already been used.",
  declined: "This invitation was declined.",
  revoked: "This invitation was withdrawn by the team.",
};

export function revokeInvitation(db: Db, scope: TeamScope, invitationId: string, now = Date.now()) {
  return db.transaction((tx) => {
    requireRole(tx, scope, "admin");
    // Filtered by team: another team's invitation id is simply not found.
    const row = tx
      .select()
      .from(teamInvitations)
      .where(and(eq(teamInvitations.id, invitationId), eq(teamInvitations.teamId, scope.teamId)))
      .get();
    if (!row) throw notFound("Invitation");
    if (row.status !== "pending") throw conflict(RESOLVED_MESSAGES[row.status]);
    tx.update(teamInvitations).set({ status: "revoked", resolvedAt: new Date(now) }).where(eq(teamInvitations.id, row.id)).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "team.invitation.revoke", targetId: row.id, detail: { email: row.email } });
    return { id: row.id };
  });
}

/** "ada@example.com" → "a•••@example.com": enough to tell which of one's addresses is meant. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  return `${email.slice(0, 1)}•••${email.slice(at)}`;
}

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/**
 * The open invitation a token names, for the person logged in: every way a link can be wrong
 * (unknown, used, declined, withdrawn, expired, meant for another address) is its own clear
 * error, and the team is named only to the invited person.
 */
function openInvitationFor(db: DbLike, user: SessionUser, token: string, now: number) {
  const found = db
    .select({ row: teamInvitations, teamName: teams.name, inviterName: users.name, inviterEmail: users.email })
    .from(teamInvitations)
    .innerJoin(teams, eq(teams.id, teamInvitations.teamId))
    .leftJoin(users, eq(users.id, teamInvitations.invitedBy))
    .where(eq(teamInvitations.tokenHash, sha256Hex(token)))
    .get();
  if (!found) throw new DomainError("NOT_FOUND", "This invitation link is not valid: check that you copied all of it, or ask the team for a new one.");
  const { row } = found;
  if (row.status !== "pending") throw conflict(RESOLVED_MESSAGES[row.status]);
  if (row.expiresAt.getTime() <= now) {
    throw conflict(`This invitation expired on ${when.format(row.expiresAt)} UTC; ask the team for a new one.`);
  }
  if (row.email !== user.email) {
    throw forbidden(
      `This invitation is for ${maskEmail(row.email)}, and you are logged in as ${user.email}. Log in (or sign up) with the invited address to accept it.`,
    );
  }
  return found;
}

export function previewInvitation(db: Db, user: SessionUser, token: string, now = Date.now()) {
  const { row, teamName, inviterName, inviterEmail } = openInvitationFor(db, user, token, now);
  return {
    teamName,
    role: row.role,
    email: row.email,
    invitedBy: inviterName ? { name: inviterName, email: inviterEmail ?? "" } : null,
    expiresAt: row.expiresAt,
  };
}

/**
 * Joins the team the invitation is for. The session switches to it only when the person asks
 * (`open`), which also makes it the team their next login opens.
 */
export function acceptInvitation(db: Db, viewer: { user: SessionUser; sessionId: string }, input: { token: string; open: boolean }, now = Date.now()) {
  return db.transaction((tx) => {
    const { row, teamName } = openInvitationFor(tx, viewer.user, input.token, now);
    const already = tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.teamId, row.teamId), eq(memberships.userId, viewer.user.id)))
      .get();
    if (already) throw conflict(`You are already a member of ${teamName}.`);
    tx.insert(memberships).values({ teamId: row.teamId, userId: viewer.user.id, role: row.role, createdAt: new Date(now) }).run();
    tx.update(teamInvitations).set({ status: "accepted", resolvedAt: new Date(now) }).where(eq(teamInvitations.id, row.id)).run();
    recordAudit(tx, { teamId: row.teamId, actorId: viewer.user.id, action: "team.invitation.accept", targetId: row.id, detail: { role: row.role } });
    if (input.open) openTeam(tx, viewer.user.id, viewer.sessionId, row.teamId);
    return { teamId: row.teamId, teamName, role: row.role, opened: input.open };
  });
}

export function declineInvitation(db: Db, user: SessionUser, token: string, now = Date.now()) {
  return db.transaction((tx) => {
    const { row } = openInvitationFor(tx, user, token, now);
    tx.update(teamInvitations).set({ status: "declined", resolvedAt: new Date(now) }).where(eq(teamInvitations.id, row.id)).run();
    recordAudit(tx, { teamId: row.teamId, actorId: user.id, action: "team.invitation.decline", targetId: row.id });
    return { declined: true as const };
  });
}
