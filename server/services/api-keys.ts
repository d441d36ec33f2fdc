import { createHmac, randomBytes } from "node:crypto";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "#db/client";
import type { HotStatements } from "#db/hot-statements";
import { apiKeys, publishedAgents } from "#db/schema";
import { newId } from "#agents/graph/index";
import { recordAudit } from "./audit";
import { badRequest, notFound } from "./errors";
import type { TeamScope } from "./flows";

export type ApiKeyKind = "secret" | "public";

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

/** Creates a key and returns its token; the token is never stored and cannot be shown again (see ApiKeyService). */
function createApiKey(db: Db, secretKey: Buffer, scope: TeamScope, input: CreateApiKeyInput) {
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

function revokeApiKey(db: Db, scope: TeamScope, id: string) {
  const key = db.select(listedColumns).from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.teamId, scope.teamId))).get();
  if (!key) throw notFound("API key");
  if (key.revokedAt) return key;
  const revokedAt = new Date();
  db.transaction((tx) => {
    tx.update(apiKeys).set({ revokedAt }).where(and(eq(apiKeys.id, id), eq(apiKeys.teamId, scope.teamId))).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "apiKey.revoke", targetId: id });
  });
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

/** How long a presented token's key is remembered, and how many are (see ApiKeyService.recent). */
const RECENT_KEY_MS = 10_000;
const MAX_RECENT_KEYS = 10_000;

/** A key handed to many requests at once: none of them may change it for the others. */
function frozen(list: string[] | null): string[] | null {
  return list === null ? null : (Object.freeze(list) as string[]);
}

/** A json-mode column as drizzle writes it (JSON text, or NULL). */
function jsonList(value: string | null): string[] | null {
  return value === null ? null : (JSON.parse(value) as string[] | null);
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

/**
 * The team API keys of one running Skyloom: the gateway's lookup of a presented token (one
 * indexed read through a hot statement, no slow hashing), and the changes that refresh what
 * the gateway derives from keys (the origins its CORS answers allow).
 */
export class ApiKeyService {
  private generation = 0;
  /**
   * Tokens presented lately → their key: the HMAC and the read cost more than the rest of a
   * proxied request (issue 12's speed goal). Emptied by every create and revoke here, so a
   * revoked key is refused from the next request; kept for RECENT_KEY_MS at most, a safety net
   * should a key ever change by another path.
   */
  private readonly recent = new Map<string, { key: AuthenticatedKey; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly secretKey: Buffer,
    private readonly statements: Pick<HotStatements, "findApiKey">,
  ) {}

  /** Returns null for an unknown token; a revoked key is returned marked so the caller can say so. */
  find(token: string): AuthenticatedKey | null {
    const now = Date.now();
    const recent = this.recent.get(token);
    if (recent && recent.until > now) return recent.key;
    if (!looksLikeApiKey(token)) return null;
    const row = this.statements.findApiKey.get(hashApiKey(this.secretKey, token));
    // Unknown tokens are not remembered: a caller trying tokens must not fill the memory.
    if (!row) return null;
    const key: AuthenticatedKey = Object.freeze({
      id: row.id,
      teamId: row.teamId,
      kind: row.kind,
      allowedAgents: frozen(jsonList(row.allowedAgents)),
      allowedOrigins: frozen(jsonList(row.allowedOrigins)),
      requestsPerMinute: row.requestsPerMinute,
      revoked: row.revoked !== 0,
    });
    if (this.recent.size >= MAX_RECENT_KEYS) this.recent.clear();
    this.recent.set(token, { key, until: now + RECENT_KEY_MS });
    return key;
  }

  create(scope: TeamScope, input: CreateApiKeyInput) {
    const created = createApiKey(this.db, this.secretKey, scope, input);
    this.changed();
    return created;
  }

  revoke(scope: TeamScope, id: string) {
    const revoked = revokeApiKey(this.db, scope, id);
    this.changed();
    return revoked;
  }

  private changed(): void {
    this.generation += 1;
    this.recent.clear();
  }

  /** Changes with every key created or revoked here, so caches derived from keys know to refresh. */
  changes(): number {
    return this.generation;
  }
}
