import { and, asc, eq } from "drizzle-orm";
import type { Db, DbLike } from "#db/client";
import { memberships, sessions, teams, TEAM_ROLES, users, type TeamRole } from "#db/schema";
import { createTeamWithOwner } from "./accounts";
import { recordAudit } from "./audit";
import { badRequest, forbidden, notFound } from "./errors";
import type { TeamScope } from "./flows";

const rank = (role: TeamRole) => TEAM_ROLES.indexOf(role);

export function listMyTeams(db: Db, userId: string) {
  return db
    .select({ id: teams.id, name: teams.name, personal: teams.personal, role: memberships.role })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(teams.createdAt))
    .all();
}

/**
 * Opens a team for this session and remembers it as the person's own choice, so their next
 * login opens it too. Only the person's own actions call this (switch, create, accepting an
 * invitation with "open it now"); joining a team never does.
 */
export function openTeam(db: DbLike, userId: string, sessionId: string, teamId: string): void {
  db.update(sessions).set({ activeTeamId: teamId }).where(eq(sessions.id, sessionId)).run();
  db.update(users).set({ lastTeamId: teamId }).where(eq(users.id, userId)).run();
}

export function createTeam(db: Db, userId: string, sessionId: string, name: string) {
  return db.transaction((tx) => {
    const teamId = createTeamWithOwner(tx, userId, name, false);
    openTeam(tx, userId, sessionId, teamId);
    return { id: teamId, name };
  });
}

/** Makes a team the session's active team; a team the user is not in is NOT_FOUND. */
export function switchTeam(db: Db, userId: string, sessionId: string, teamId: string) {
  return db.transaction((tx) => {
    if (!roleIn(tx, teamId, userId)) throw notFound("Team");
    openTeam(tx, userId, sessionId, teamId);
    return { id: teamId };
  });
}

export function renameTeam(db: Db, scope: TeamScope, name: string) {
  db.transaction((tx) => {
    tx.update(teams).set({ name }).where(eq(teams.id, scope.teamId)).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "team.rename", detail: { name } });
  });
  return { id: scope.teamId, name };
}

export function listMembers(db: Db, scope: TeamScope) {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.teamId, scope.teamId))
    .orderBy(asc(memberships.createdAt))
    .all();
}

/** A person's role in a team, or null when they are not in it. */
export function roleIn(db: DbLike, teamId: string, userId: string): TeamRole | null {
  const row = db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)))
    .get();
  return row?.role ?? null;
}

/**
 * Checks the actor's role again inside the change's transaction: the role the request
 * started with may have been lowered by a concurrent change since.
 */
export function requireRole(db: DbLike, scope: TeamScope, minRole: TeamRole): TeamRole {
  const role = roleIn(db, scope.teamId, scope.userId);
  if (!role) throw forbidden("You are no longer a member of this team.");
  if (rank(role) < rank(minRole)) throw forbidden(`This needs the ${minRole} role; you are now ${role === "viewer" ? "a" : "an"} ${role}.`);
  return role;
}

function memberOrNotFound(db: DbLike, teamId: string, userId: string): TeamRole {
  const role = roleIn(db, teamId, userId);
  if (!role) throw notFound("Member");
  return role;
}

/** Sessions and the next login stop opening a team the person has left. */
function forgetTeam(db: DbLike, userId: string, teamId: string): void {
  db.update(sessions).set({ activeTeamId: null }).where(and(eq(sessions.userId, userId), eq(sessions.activeTeamId, teamId))).run();
  db.update(users).set({ lastTeamId: null }).where(and(eq(users.id, userId), eq(users.lastTeamId, teamId))).run();
}

/**
 * Changes a member's role. The owner's role is not changed here (ownership moves only by a
 * transfer), so nobody can demote the owner and nobody becomes owner without the owner.
 */
export function updateMemberRole(db: Db, scope: TeamScope, input: { userId: string; role: TeamRole }) {
  return db.transaction((tx) => {
    requireRole(tx, scope, "admin");
    if (input.role === "owner") {
      throw forbidden("Only the owner can make someone owner, with Transfer ownership.");
    }
    const current = memberOrNotFound(tx, scope.teamId, input.userId);
    if (current === "owner") throw forbidden("The owner's role changes only when they transfer ownership to another member.");
    if (current !== input.role) {
      tx.update(memberships)
        .set({ role: input.role })
        .where(and(eq(memberships.teamId, scope.teamId), eq(memberships.userId, input.userId)))
        .run();
      recordAudit(tx, {
        teamId: scope.teamId,
        actorId: scope.userId,
        action: "team.member.role",
        targetId: input.userId,
        detail: { from: current, to: input.role },
      });
    }
    return { userId: input.userId, role: input.role };
  });
}

export function removeMember(db: Db, scope: TeamScope, userId: string) {
  return db.transaction((tx) => {
    requireRole(tx, scope, "admin");
    const role = memberOrNotFound(tx, scope.teamId, userId);
    if (userId === scope.userId) throw badRequest("To leave the team yourself, use Leave team.");
    if (role === "owner") throw forbidden("The owner cannot be removed; the owner can transfer ownership first.");
    tx.delete(memberships).where(and(eq(memberships.teamId, scope.teamId), eq(memberships.userId, userId))).run();
    forgetTeam(tx, userId, scope.teamId);
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "team.member.remove", targetId: userId, detail: { role } });
    return { userId };
  });
}

/** Leaves the team; the owner must hand the team to someone first, so it is never ownerless. */
export function leaveTeam(db: Db, scope: TeamScope) {
  return db.transaction((tx) => {
    const role = requireRole(tx, scope, "viewer");
    if (role === "owner") {
      const team = tx.select({ personal: teams.personal }).from(teams).where(eq(teams.id, scope.teamId)).get();
      throw badRequest(
        team?.personal
          ? "This is your personal team; it stays with your account."
          : "You own this team: transfer ownership to another member before you leave.",
      );
    }
    tx.delete(memberships).where(and(eq(memberships.teamId, scope.teamId), eq(memberships.userId, scope.userId))).run();
    forgetTeam(tx, scope.userId, scope.teamId);
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "team.member.leave", targetId: scope.userId, detail: { role } });
    return { teamId: scope.teamId };
  });
}

/** The owner hands the team to another member and stays on as an admin: one owner throughout. */
export function transferOwnership(db: Db, scope: TeamScope, toUserId: string) {
  return db.transaction((tx) => {
    requireRole(tx, scope, "owner");
    const team = tx.select({ personal: teams.personal }).from(teams).where(eq(teams.id, scope.teamId)).get();
    if (team?.personal) throw badRequest("A personal team stays with its account; create a team to share ownership.");
    if (toUserId === scope.userId) throw badRequest("You already own this team; choose another member.");
    const from = memberOrNotFound(tx, scope.teamId, toUserId);
    const setRole = (userId: string, role: TeamRole) =>
      tx.update(memberships).set({ role }).where(and(eq(memberships.teamId, scope.teamId), eq(memberships.userId, userId))).run();
    // Demote first: the database allows one owner per team at any moment.
    setRole(scope.userId, "admin");
    setRole(toUserId, "owner");
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "team.owner.transfer", targetId: toUserId, detail: { previousRole: from } });
    return { ownerId: toUserId };
  });
}
