import { and, asc, eq } from "drizzle-orm";
import type { Db } from "#db/client";
import { memberships, sessions, teams, users, type TeamRole } from "#db/schema";
import { createTeamWithOwner } from "./accounts";
import { recordAudit } from "./audit";
import { badRequest, conflict, notFound } from "./errors";
import type { TeamScope } from "./flows";

export function listMyTeams(db: Db, userId: string) {
  return db
    .select({ id: teams.id, name: teams.name, personal: teams.personal, role: memberships.role })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(teams.createdAt))
    .all();
}

export function createTeam(db: Db, userId: string, sessionId: string, name: string) {
  return db.transaction((tx) => {
    const teamId = createTeamWithOwner(tx, userId, name, false);
    tx.update(sessions).set({ activeTeamId: teamId }).where(eq(sessions.id, sessionId)).run();
    return { id: teamId, name };
  });
}

/** Makes a team the session's active team; a team the user is not in is NOT_FOUND. */
export function switchTeam(db: Db, userId: string, sessionId: string, teamId: string) {
  const member = db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)))
    .get();
  if (!member) throw notFound("Team");
  db.update(sessions).set({ activeTeamId: teamId }).where(eq(sessions.id, sessionId)).run();
  return { id: teamId };
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

/** Adds an existing account to the team (invitations by email come later). */
export function addMember(db: Db, scope: TeamScope, input: { email: string; role: Exclude<TeamRole, "owner"> }) {
  const user = db.select({ id: users.id }).from(users).where(eq(users.email, input.email)).get();
  if (!user) throw notFound(`An account for ${input.email}`);
  return db.transaction((tx) => {
    const existing = tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.teamId, scope.teamId), eq(memberships.userId, user.id)))
      .get();
    if (existing) throw conflict(`${input.email} is already in this team.`);
    tx.insert(memberships).values({ teamId: scope.teamId, userId: user.id, role: input.role, createdAt: new Date() }).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "team.member.add", targetId: user.id, detail: { role: input.role } });
    return { userId: user.id, role: input.role };
  });
}

export function removeMember(db: Db, scope: TeamScope, userId: string) {
  return db.transaction((tx) => {
    const member = tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.teamId, scope.teamId), eq(memberships.userId, userId)))
      .get();
    if (!member) throw notFound("Member");
    if (member.role === "owner") throw badRequest("The owner cannot be removed from the team.");
    tx.delete(memberships).where(and(eq(memberships.teamId, scope.teamId), eq(memberships.userId, userId))).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "team.member.remove", targetId: userId });
    return { userId };
  });
}
