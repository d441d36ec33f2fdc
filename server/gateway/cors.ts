import type { IncomingMessage as Request, ServerResponse as Response } from "node:http";
import type { Db } from "#db/client";
import { allAllowedOrigins, type ApiKeyService, type AuthenticatedKey } from "../services/api-keys";
import { GatewayError } from "./errors";

const ALLOWED_HEADERS = "authorization, content-type, conversation_id, x-conversation-id";
const EXPOSED_HEADERS = "retry-after, x-skyloom-run-id, x-ratelimit-limit-requests, x-ratelimit-remaining-requests";

/**
 * CORS for public keys (the chat widget). A browser's preflight carries no key, so it is
 * answered for origins that some live public key lists; the real request is then checked
 * against its own key's origins, and a refused origin gets no CORS headers, so the browser
 * blocks the response.
 */
export class GatewayCors {
  private cached: { generation: number; origins: Set<string> } | null = null;

  constructor(
    private readonly db: Db,
    private readonly apiKeys: Pick<ApiKeyService, "changes">,
  ) {}

  private knownOrigins(): Set<string> {
    const generation = this.apiKeys.changes();
    if (!this.cached || this.cached.generation !== generation) this.cached = { generation, origins: allAllowedOrigins(this.db) };
    return this.cached.origins;
  }

  static originOf(req: Request): string | undefined {
    const origin = req.headers.origin;
    return typeof origin === "string" && origin !== "" ? origin : undefined;
  }

  private static allow(res: Response, origin: string): void {
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  }

  /** OPTIONS: 204 with CORS headers for a known origin, 403 without them otherwise. */
  preflight(req: Request, res: Response): void {
    res.setHeader("Vary", "Origin");
    const origin = GatewayCors.originOf(req);
    if (!origin || !this.knownOrigins().has(origin)) {
      res.statusCode = 403;
      res.end();
      return;
    }
    GatewayCors.allow(res, origin);
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    res.setHeader("Access-Control-Max-Age", "600");
    res.statusCode = 204;
    res.end();
  }

  /** Before the key is known (e.g. to let the widget read a 401): any origin a public key lists. */
  allowKnownOrigin(req: Request, res: Response): void {
    res.setHeader("Vary", "Origin");
    const origin = GatewayCors.originOf(req);
    if (origin && this.knownOrigins().has(origin)) GatewayCors.allow(res, origin);
  }

  /**
   * After authentication: a public key must come from one of its origins (a request without
   * an Origin is refused too: public keys are for browsers). Secret keys get no CORS headers,
   * so a page cannot read answers made with a leaked server key.
   */
  checkKey(req: Request, res: Response, key: AuthenticatedKey): void {
    res.removeHeader("Access-Control-Allow-Origin");
    res.removeHeader("Access-Control-Expose-Headers");
    if (key.kind !== "public") return;
    const origin = GatewayCors.originOf(req);
    if (!origin) {
      throw new GatewayError(403, "This is a public key: it works only from the web sites it lists (the request has no Origin header). Use a secret key on servers.", "permission_error", "origin_not_allowed");
    }
    if (!(key.allowedOrigins ?? []).includes(origin)) {
      throw new GatewayError(403, `This public key may not be used from ${origin}; add the origin to the key's allowed origins.`, "permission_error", "origin_not_allowed");
    }
    GatewayCors.allow(res, origin);
  }
}
