import type { Services } from "../composition";
import { activeMembership, resolveSession, type Membership, type ResolvedSession } from "../services/accounts";

/** How a procedure sets or clears the session cookie without knowing about HTTP. */
export type SessionCookieJar = {
  set(token: string, expiresAt: Date): void;
  clear(): void;
};

export type Viewer = ResolvedSession & { membership: Membership | null };

export type Context = {
  /** The running Skyloom's services (server/composition.ts). */
  services: Services;
  db: Services["db"];
  clientIp: string;
  viewer: Viewer | null;
  cookies: SessionCookieJar;
};

export function createContext(
  services: Services,
  request: { sessionToken: string | undefined; clientIp: string; cookies: SessionCookieJar },
): Context {
  const db = services.db;
  const session = resolveSession(db, request.sessionToken);
  const viewer = session ? { ...session, membership: activeMembership(db, session) } : null;
  return { services, db, clientIp: request.clientIp, viewer, cookies: request.cookies };
}
