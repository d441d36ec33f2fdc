import type { Request, Response } from "express";
import type { SessionCookieJar } from "../trpc/context";

export const SESSION_COOKIE = "skyloom_session";

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** httpOnly + SameSite=Lax: scripts cannot read the session and other sites cannot post with it. */
export function sessionCookieJar(res: Response, secure: boolean): SessionCookieJar {
  const attrs = ["Path=/", "HttpOnly", "SameSite=Lax", ...(secure ? ["Secure"] : [])];
  return {
    set(token, expiresAt) {
      res.append("Set-Cookie", [`${SESSION_COOKIE}=${encodeURIComponent(token)}`, ...attrs, `Expires=${expiresAt.toUTCString()}`].join("; "));
    },
    clear() {
      res.append("Set-Cookie", [`${SESSION_COOKIE}=`, ...attrs, "Max-Age=0"].join("; "));
    },
  };
}

export function clientIpOf(req: Request): string {
  return req.socket.remoteAddress ?? "unknown";
}
