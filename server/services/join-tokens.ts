import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "#db/client";
import { nodeJoinTokens } from "#db/schema";
import { newId } from "#agents/graph/index";
import { sha256Hex } from "../marketplace/local/ids";
import { recordAudit } from "./audit";
import { badRequest, notFound } from "./errors";
import type { TeamScope } from "./flows";

/**
 * Node join tokens (`skyloom node --join URL --token T`): a team's admins make them in
 * Settings → Nodes. A token is 192 random bits, shown once; only its sha256 is stored (a fast
 * hash is enough for a random token nobody can guess). Revoking stops new joins; nodes that
 * already joined keep their own secret.
 */
const TOKEN_PREFIX = "sky_nt_";
const SHOWN_PREFIX_LENGTH = 11;
const MAX_TOKENS_PER_TEAM = 50;

export type JoinTokenView = { id: string; name: string; prefix: string; createdAt: number; lastUsedAt: number | null; revokedAt: number | null };

const view = (r: typeof nodeJoinTokens.$inferSelect): JoinTokenView => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.createdAt.getTime(),
  lastUsedAt: r.lastUsedAt?.getTime() ?? null,
  revokedAt: r.revokedAt?.getTime() ?? null,
});

export function listJoinTokens(db: Db, scope: TeamScope): JoinTokenView[] {
  return db.select().from(nodeJoinTokens).where(eq(nodeJoinTokens.teamId, scope.teamId)).orderBy(desc(nodeJoinTokens.createdAt)).all().map(view);
}

/** Makes a token; the answer is the only time its value is shown. */
export function createJoinToken(db: Db, scope: TeamScope, input: { name: string }): JoinTokenView & { token: string } {
  const live = db
    .select({ id: nodeJoinTokens.id })
    .from(nodeJoinTokens)
    .where(and(eq(nodeJoinTokens.teamId, scope.teamId), isNull(nodeJoinTokens.revokedAt)))
    .all();
  if (live.length >= MAX_TOKENS_PER_TEAM) throw badRequest(`A team has at most ${MAX_TOKENS_PER_TEAM} join tokens; revoke one first.`);
  const token = `${TOKEN_PREFIX}${randomBytes(24).toString("base64url")}`;
  const row = {
    id: newId("jt"),
    teamId: scope.teamId,
    name: input.name,
    tokenHash: sha256Hex(token),
    prefix: token.slice(0, SHOWN_PREFIX_LENGTH),
    createdBy: scope.userId,
    createdAt: new Date(),
  };
  db.transaction((tx) => {
    tx.insert(nodeJoinTokens).values(row).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "node.joinToken.create", targetId: row.id, detail: { name: input.name } });
  });
  return { ...view({ ...row, lastUsedAt: null, revokedAt: null }), token };
}

export function revokeJoinToken(db: Db, scope: TeamScope, id: string): JoinTokenView {
  const row = db.select().from(nodeJoinTokens).where(and(eq(nodeJoinTokens.id, id), eq(nodeJoinTokens.teamId, scope.teamId))).get();
  if (!row) throw notFound("Join token");
  if (!row.revokedAt) {
    db.transaction((tx) => {
      tx.update(nodeJoinTokens).set({ revokedAt: new Date() }).where(eq(nodeJoinTokens.id, id)).run();
      recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "node.joinToken.revoke", targetId: id });
    });
  }
  return view(db.select().from(nodeJoinTokens).where(eq(nodeJoinTokens.id, id)).get() as typeof row);
}

/** The matchmaker's check for a token a new node presents: a team's, not revoked. Returns that team, or null. */
export function acceptTeamJoinToken(db: Db, token: string): string | null {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  const row = db
    .select({ id: nodeJoinTokens.id, teamId: nodeJoinTokens.teamId })
    .from(nodeJoinTokens)
    .where(and(eq(nodeJoinTokens.tokenHash, sha256Hex(token)), isNull(nodeJoinTokens.revokedAt)))
    .get();
  if (!row) return null;
  db.update(nodeJoinTokens).set({ lastUsedAt: new Date() }).where(eq(nodeJoinTokens.id, row.id)).run();
  return row.teamId;
}
