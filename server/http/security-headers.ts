import type { ServerResponse } from "node:http";

/**
 * The security headers of every answer, shared by the Express app and the /v1 gateway (which
 * is answered before Express, see docs/decisions/007).
 */

/**
 * For everything that is not a page (JSON, the plain error page, static files): nothing may
 * load or run, and nothing may frame it. Browsers ignore a subresource's own policy, so this
 * does not affect /embed.js on other sites or the widget's CORS calls to /v1.
 */
export const NOTHING_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "same-origin");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Content-Security-Policy", NOTHING_POLICY);
}
