import { createHmac, randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "#db/client";
import { apiKeys, publishedAgents } from "#db/schema";
import { newId } from "#agents/graph/index";
import { recordAudit } from "./audit";
import { badRequest, notFound } from "./errors";
import type { TeamScope } from "./flows";

export type ApiKeyKind = "secret" | "public";

/** Bumped on every key change, so caches derived from keys (allowed origins) know to refresh. */
let keysGeneration = 0;
export const apiKeysGeneration = () => keysGeneration;

const TOKEN_PREFIX: Record<ApiKeyKind, string> = { secret: "sky_sk_", public: "sky_pk_" };
/** How much of a key the lists show: the kind marker plus a few random characters. */
const SHOWN_PREFIX_LENGTH = 12;
export const MAX_ALLOWED_ORIGINS = 20;
export const MAX_REQUESTS_PER_MINUTE = 100_000;
/** A public key sits in a web page, so it always has a limit; this is the default. */
export const DEFAULT_PUBLIC_KEY_RPM = 30;

/**
 * API keys are 256-bit random tokens, so a fast keyed hash (HMAC-SHA256 with the server's
 * secret key) keeps them out of the database without a slow password hash on every request:
 * nobody can brute-force 2^256, and a stolen database without the secret key cannot even test
 * guesses.
 */
export function hashApiKey(secretKey: Buffer, token: string): string {
  return createHmac("sha256", secretKey).update("skyloom-api-key\0").update(token).digest("hex");
}

export function looksLikeApiKey(token: string): boolean {
  return /^sky_(sk|pk)_[A-Za-z0-9_-]{43}$/.test(token);
}

/**
 * An origin exactly as browsers send it in the Origin header: scheme, host and port only.
 * Returns null for anything else (paths, wildcards, non-http schemes).
 */
export function normalizeOrigin(value: string): string | null {
  const trimmed = value.trim().replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.origin !== trimmed.toLowerCase() && url.origin !== trimmed) return null;
  return url.origin;
}

export type CreateApiKeyInput = {
  name: string;
  kind: ApiKeyKind;
  /** Published agent ids; empty or missing means every agent of the team (secret keys only). */
  allowedAgents?: string[] | null;
  requestsPerMinute?: number | null;
  allowedOrigins?: string[] | null;
};

function checkAgentsBelongToTeam(db: Db, teamId: string, ids: readonly string[]): void {
  if (ids.length === 0) return;
  const found = db
    .select({ id: publishedAgents.id })
    .from(publishedAgents)
    .where(and(eq(publishedAgents.teamId, teamId), inArray(publishedAgents.id, [...ids])))
    .all();
  if (found.length !== new Set(ids).size) throw badRequest("allowedAgents: one of the chosen agents is not published in this team.");
}

/** Creates a key and returns its token; the token is never stored and cannot be shown again. */
export function createApiKey(db: Db, secretKey: Buffer, scope: TeamScope, input: CreateApiKeyInput) {
  const agents = [...new Set(input.allowedAgents ?? [])];
  let origins: string[] | null = null;
  if (input.kind === "public") {
    if (agents.length !== 1) throw badRequest("allowedAgents: a public key is for exactly one agent; choose it.");
    const raw = input.allowedOrigins ?? [];
    if (raw.length === 0) throw badRequest("allowedOrigins: list the web sites (e.g. https://example.com) that may use this public key.");
    if (raw.length > MAX_ALLOWED_ORIGINS) throw badRequest(`allowedOrigins: at most ${MAX_ALLOWED_ORIGINS} origins.`);
    origins = [];
    for (const value of raw) {
      const origin = normalizeOrigin(value);
      if (!origin) throw badRequest(`allowedOrigins: "${value}" is not an origin; write scheme://host[:port], e.g. https://example.com.`);
      if (!origins.includes(origin)) origins.push(origin);
    }
  } else if (input.allowedOrigins && input.allowedOrigins.length > 0) {
    throw badRequest("allowedOrigins: only public keys are used from web pages; a secret key must stay on a server.");
  }
  checkAgentsBelongToTeam(db, scope.teamId, agents);
  const rpm = input.requestsPerMinute ?? (input.kind === "public" ? DEFAULT_PUBLIC_KEY_RPM : null);

  const token = TOKEN_PREFIX[input.kind] + randomBytes(32).toString("base64url");
  const row = {
    id: newId("key"),
    teamId: scope.teamId,
    name: input.name,
    prefix: token.slice(0, SHOWN_PREFIX_LENGTH),
    keyHash: hashApiKey(secretKey, token),
    allowedAgents: agents.length > 0 ? agents : null,
    requestsPerMinute: rpm,
    kind: input.kind,
    allowedOrigins: origins,
    createdBy: scope.userId,
    createdAt: new Date(),
  };
  db.transaction((tx) => {
    tx.insert(apiKeys).values(row).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "apiKey.create", targetId: row.id, detail: { name: row.name, kind: row.kind } });
  });
  keysGeneration += 1;
  const { keyHash: _hash, ...shown } = row;
  return { key: { ...shown, lastUsedAt: null, revokedAt: null }, token };
}

const listedColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  kind: apiKeys.kind,
  allowedAgents: apiKeys.allowedAgents,
  allowedOrigins: apiKeys.allowedOrigins,
  requestsPerMinute: apiKeys.requestsPerMinute,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

export function listApiKeys(db: Db, scope: TeamScope) {
  return db.select(listedColumns).from(apiKeys).where(eq(apiKeys.teamId, scope.teamId)).orderBy(desc(apiKeys.createdAt)).all();
}

export function revokeApiKey(db: Db, scope: TeamScope, id: string) {
  const key = db.select(listedColumns).from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.teamId, scope.teamId))).get();
  if (!key) throw notFound("API key");
  if (key.revokedAt) return key;
  const revokedAt = new Date();
  db.transaction((tx) => {
    tx.update(apiKeys).set({ revokedAt }).where(and(eq(apiKeys.id, id), eq(apiKeys.teamId, scope.teamId))).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "apiKey.revoke", targetId: id });
  });
  keysGeneration += 1;
  return { ...key, revokedAt };
}

export type AuthenticatedKey = {
  id: string;
  teamId: string;
  kind: ApiKeyKind;
  allowedAgents: string[] | null;
  allowedOrigins: string[] | null;
  requestsPerMinute: number | null;
  revoked: boolean;
};

type KeyRow = {
  id: string;
  teamId: string;
  kind: ApiKeyKind;
  allowedAgents: string | null;
  allowedOrigins: string | null;
  requestsPerMinute: number | null;
  revoked: number;
};

/**
 * Looks a presented token up by its keyed hash (one indexed read, no slow hashing). The
 * statement is better-sqlite3's own: it runs on every gateway request, where drizzle's result
 * mapping cost more than the read.
 */
function prepareKeyLookup(db: Db) {
  // drizzle's better-sqlite3 driver keeps the connection as `$client` (Db's type leaves it out).
  const sqlite = (db as Db & { $client: Database.Database }).$client;
  return sqlite.prepare<[string], KeyRow>(
    `select id, team_id as teamId, kind, allowed_agents as allowedAgents, allowed_origins as allowedOrigins,
       requests_per_minute as requestsPerMinute, revoked_at is not null as revoked
     from api_keys where key_hash = ?`,
  );
}
/** Prepared once per database: the lookup runs on every gateway request. */
const keyLookups = new WeakMap<Db, ReturnType<typeof prepareKeyLookup>>();

/** A json-mode column as drizzle writes it (JSON text, or NULL). */
function jsonList(value: string | null): string[] | null {
  return value === null ? null : (JSON.parse(value) as string[] | null);
}

/** Returns null for an unknown token; a revoked key is returned marked so the caller can say so. */
export function findApiKey(db: Db, secretKey: Buffer, token: string): AuthenticatedKey | null {
  if (!looksLikeApiKey(token)) return null;
  let lookup = keyLookups.get(db);
  if (!lookup) keyLookups.set(db, (lookup = prepareKeyLookup(db)));
  const row = lookup.get(hashApiKey(secretKey, token));
  if (!row) return null;
  return {
    id: row.id,
    teamId: row.teamId,
    kind: row.kind,
    allowedAgents: jsonList(row.allowedAgents),
    allowedOrigins: jsonList(row.allowedOrigins),
    requestsPerMinute: row.requestsPerMinute,
    revoked: row.revoked !== 0,
  };
}

/** Records that keys were used; the gateway batches these so a busy key is one write a minute. */
export function touchApiKeys(db: Db, ids: readonly string[], at: Date): void {
  if (ids.length === 0) return;
  db.update(apiKeys).set({ lastUsedAt: at }).where(inArray(apiKeys.id, [...ids])).run();
}

/** Every origin some live public key allows: a browser preflight from anywhere else is refused. */
export function allAllowedOrigins(db: Db): Set<string> {
  const rows = db
    .select({ origins: apiKeys.allowedOrigins, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.kind, "public"))
    .all();
  const set = new Set<string>();
  for (const row of rows) if (!row.revokedAt) for (const o of row.origins ?? []) set.add(o);
  return set;
}
