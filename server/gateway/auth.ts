import type { IncomingMessage as Request } from "node:http";
import type { Db } from "#db/client";
import { touchApiKeys, type ApiKeyService, type AuthenticatedKey } from "../services/api-keys";
import { GatewayError } from "./errors";

function mask(token: string): string {
  if (token.length <= 12) return "***";
  return `${token.slice(0, 10)}…${token.slice(-4)}`;
}

/** The bearer token of a request, from `Authorization: Bearer …` (or `api-key`, as Azure clients send). */
export function presentedToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === "string") {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const apiKey = req.headers["api-key"];
  return typeof apiKey === "string" && apiKey.trim() ? apiKey.trim() : undefined;
}

/** `keysPage` is asked for only when a request is refused (it is worked out from the request's Host). */
export function authenticate(apiKeys: Pick<ApiKeyService, "find">, req: Request, keysPage: () => string): AuthenticatedKey {
  const token = presentedToken(req);
  if (!token) {
    throw new GatewayError(
      401,
      `You didn't provide an API key. Send it as "Authorization: Bearer YOUR_KEY"; create keys at ${keysPage()}.`,
      "invalid_request_error",
      "missing_api_key",
    );
  }
  const key = apiKeys.find(token);
  if (!key) {
    throw new GatewayError(401, `Incorrect API key provided: ${mask(token)}. You can find your API keys at ${keysPage()}.`, "invalid_request_error", "invalid_api_key");
  }
  if (key.revoked) {
    throw new GatewayError(401, `The API key ${mask(token)} was revoked. Create a new one at ${keysPage()}.`, "invalid_request_error", "invalid_api_key");
  }
  return key;
}

/**
 * Remembers when keys were last used without a database write per request: a key's time is
 * written at most once a minute.
 */
export class KeyUsageRecorder {
  private readonly written = new Map<string, number>();

  constructor(private readonly db: Db) {}

  touch(keyId: string, now: number): void {
    const last = this.written.get(keyId);
    if (last !== undefined && now - last < 60_000) return;
    this.written.set(keyId, now);
    if (this.written.size > 10_000) this.written.clear();
    touchApiKeys(this.db, [keyId], new Date(now));
  }
}
