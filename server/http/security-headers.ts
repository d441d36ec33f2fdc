import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";

/**
 * The security headers of every answer, shared by the Express app and the /v1 gateway (which
 * is answered before Express, see docs/decisions/007). Pages replace the Content-Security-Policy
 * with pagePolicy(nonce); see docs/decisions/011.
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

/** A fresh nonce for one page's inline scripts: 128 random bits, base64 as CSP expects. */
export function newCspNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * The policy of a Remix page. Scripts: our own files and the inline scripts Remix and React
 * render with this request's nonce (no 'unsafe-eval': zod runs jitless in the browser). Styles
 * may be inline: React Flow positions nodes, CodeMirror themes its editor and Recharts draws
 * with style attributes and <style> elements.
 */
export function pagePolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join("; ");
}
