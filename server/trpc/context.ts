import type { DatabaseHandle } from "#db/client";
import type { ServerConfig } from "../env";
import { activeMembership, resolveSession, type Membership, type ResolvedSession } from "../services/accounts";
import type { LoginLimiter } from "../services/login-limiter";
import type { SignupLimiter } from "../services/signup-limiter";

/** Long-lived parts shared by every request, created once at start. */
export type AppDeps = {
  database: DatabaseHandle;
  config: ServerConfig;
  loginLimiter: LoginLimiter;
  signupLimiter: SignupLimiter;
  secretKey: Buffer;
};

/** How a procedure sets or clears the session cookie without knowing about HTTP. */
export type SessionCookieJar = {
  set(token: string, expiresAt: Date): void;
  clear(): void;
};

export type Viewer = ResolvedSession & { membership: Membership | null };

export type Context = {
  deps: AppDeps;
  db: DatabaseHandle["db"];
  clientIp: string;
  viewer: Viewer | null;
  cookies: SessionCookieJar;
};

export function createContext(
  deps: AppDeps,
  request: { sessionToken: string | undefined; clientIp: string; cookies: SessionCookieJar },
): Context {
  const db = deps.database.db;
  const session = resolveSession(db, request.sessionToken);
  const viewer = session ? { ...session, membership: activeMembership(db, session) } : null;
  return { deps, db, clientIp: request.clientIp, viewer, cookies: request.cookies };
}
