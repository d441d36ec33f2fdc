import { and, asc, eq, gt } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbLike } from "#db/client";
import { memberships, sessions, teams, users, type TeamRole } from "#db/schema";
import { newId } from "#agents/graph/ids";
import { recordAudit } from "./audit";
import { hashPassword, randomToken, sha256Hex, verifyPassword } from "./crypto";
import { conflict, DomainError } from "./errors";
import { retryPhrase, type LoginLimiter, type LoginLimitScope } from "./login-limiter";

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "An email address is at most 254 characters")
  .pipe(z.email("Enter a valid email address, like ada@example.com"));

const COMMON_PASSWORDS = new Set([
  "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwertyuiop",
  "iloveyou", "admin123", "letmein1", "welcome1", "abc12345", "passw0rd", "skyloom123",
]);

export const PasswordSchema = z
  .string()
  .min(10, "Use at least 10 characters for the password")
  .max(200, "A password is at most 200 characters")
  .refine((p) => !COMMON_PASSWORDS.has(p.toLowerCase()), "This password is too common; choose another")
  .refine((p) => new Set(p).size >= 4, "This password repeats too few characters; mix in more");

export type SessionUser = { id: string; email: string; name: string };
export type ResolvedSession = { sessionId: string; user: SessionUser; activeTeamId: string | null };

/** Creates a team with the given owner; the caller decides whether to switch to it. */
export function createTeamWithOwner(db: DbLike, ownerId: string, name: string, personal: boolean): string {
  const teamId = newId("team");
  const now = new Date();
  db.insert(teams).values({ id: teamId, name, personal, createdAt: now }).run();
  db.insert(memberships).values({ teamId, userId: ownerId, role: "owner", createdAt: now }).run();
  recordAudit(db, { teamId, actorId: ownerId, action: "team.create", targetId: teamId, detail: { name } });
  return teamId;
}

function createSession(db: DbLike, userId: string, activeTeamId: string | null) {
  const token = randomToken();
  const now = Date.now();
  const expiresAt = new Date(now + SESSION_TTL_MS);
  db.insert(sessions)
    .values({ id: newId("ses"), tokenHash: sha256Hex(token), userId, activeTeamId, createdAt: new Date(now), expiresAt })
    .run();
  return { token, expiresAt };
}

/** Signs a person up: account, personal team, first session, all or nothing. */
export async function signUp(db: Db, input: { email: string; password: string; name?: string }) {
  const email = EmailSchema.parse(input.email);
  const name = input.name?.trim() || email.split("@")[0] || email;
  // Hash outside the transaction: better-sqlite3 transactions are synchronous.
  const passwordHash = await hashPassword(input.password);
  return db.transaction((tx) => {
    if (tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get()) {
      throw conflict("An account with this email already exists; log in instead.");
    }
    const userId = newId("usr");
    tx.insert(users).values({ id: userId, email, name, passwordHash, createdAt: new Date() }).run();
    const teamId = createTeamWithOwner(tx, userId, `${name}'s team`, true);
    recordAudit(tx, { teamId, actorId: userId, action: "auth.signup", targetId: userId });
    return { userId, teamId, ...createSession(tx, userId, teamId) };
  });
}

const LIMITED_BECAUSE: Record<LoginLimitScope, string> = {
  "email-and-address": "Too many failed logins to this account from your address.",
  address: "Too many failed logins from your address.",
  email: "Too many failed logins to this account.",
};

/**
 * Checks a password with the attempt limit; the same message for unknown email and wrong
 * password. The attempt is counted before the password is checked: the check awaits, and
 * attempts that arrive meanwhile must already see this one.
 */
export async function logIn(
  db: Db,
  limiter: LoginLimiter,
  input: { email: string; password: string; ip: string },
) {
  const email = input.email.trim().toLowerCase();
  const reservation = limiter.reserve(email, input.ip);
  if (!reservation.allowed) {
    throw new DomainError(
      "TOO_MANY_REQUESTS",
      `${LIMITED_BECAUSE[reservation.scope]} Try again in ${retryPhrase(reservation.retryAfterMs)}.`,
    );
  }
  const user = db.select().from(users).where(eq(users.email, email)).get();
  // Verify against a dummy hash for unknown emails so timing does not reveal which exist.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) throw new DomainError("UNAUTHORIZED", "Wrong email or password.");
  limiter.succeeded(reservation.attempt);
  const preferred = teamToOpenAtLogin(db, user.id, user.lastTeamId);
  return db.transaction((tx) => {
    recordAudit(tx, { teamId: preferred, actorId: user.id, action: "auth.login", targetId: user.id });
    return { userId: user.id, ...createSession(tx, user.id, preferred) };
  });
}

/**
 * The team a login opens: the one the person last opened themselves, while they are still in
 * it, else their personal team. Never a team they were merely added to, so whoever controls
 * another team cannot choose where someone's next login (and the credentials they save) lands.
 */
export function teamToOpenAtLogin(db: DbLike, userId: string, lastTeamId: string | null): string | null {
  const rows = db
    .select({ teamId: memberships.teamId, personal: teams.personal })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(teams.createdAt))
    .all();
  return (rows.find((r) => r.teamId === lastTeamId) ?? rows.find((r) => r.personal) ?? rows[0])?.teamId ?? null;
}

const DUMMY_HASH =
  "scrypt$32768$8$1$c2t5bG9vbS1kdW1teQ==$" + Buffer.alloc(64).toString("base64");

export function logOut(db: Db, sessionId: string): void {
  db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/** Finds the live session for a cookie token, or null. */
export function resolveSession(db: Db, token: string | undefined): ResolvedSession | null {
  if (!token || token.length > 200) return null;
  const row = db
    .select({
      sessionId: sessions.id,
      activeTeamId: sessions.activeTeamId,
      id: users.id,
      email: users.email,
      name: users.name,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sha256Hex(token)), gt(sessions.expiresAt, new Date())))
    .get();
  if (!row) return null;
  return {
    sessionId: row.sessionId,
    activeTeamId: row.activeTeamId,
    user: { id: row.id, email: row.email, name: row.name },
  };
}

export type Membership = { teamId: string; teamName: string; role: TeamRole; personal: boolean };

/** The viewer's membership in the session's active team, falling back to their personal team. */
export function activeMembership(db: Db, session: ResolvedSession): Membership | null {
  const rows = db
    .select({ teamId: teams.id, teamName: teams.name, role: memberships.role, personal: teams.personal })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, session.user.id))
    .all();
  return (
    rows.find((r) => r.teamId === session.activeTeamId) ?? rows.find((r) => r.personal) ?? rows[0] ?? null
  );
}
