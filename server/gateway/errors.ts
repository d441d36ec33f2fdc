import type { ServerResponse as Response } from "node:http";

/** OpenAI's error types, as its SDKs and clients expect them. */
export type OpenAiErrorType = "invalid_request_error" | "authentication_error" | "permission_error" | "rate_limit_error" | "insufficient_quota" | "server_error";

/**
 * An error answered in OpenAI's shape: `{ error: { message, type, param, code } }` with the
 * matching HTTP status. Messages are for the API's user: they name what to fix and never carry
 * internals (stack traces, file paths, other teams' names).
 */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: OpenAiErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "GatewayError";
  }

  body() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequestError = (message: string, param: string | null, code: string | null = null) =>
  new GatewayError(400, message, "invalid_request_error", code, param);

/**
 * Writes a JSON answer directly: Express's res.json would also hash the body for an ETag,
 * which API responses (never cached, never conditional) do not need on the hot path.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.end(text);
}

export function sendGatewayError(res: Response, error: GatewayError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendJson(res, error.status, error.body());
}

/** Anything unexpected: logged on the server, answered as a plain 500 with no details. */
export function internalError(): GatewayError {
  return new GatewayError(500, "The server had an error while processing your request. Try again; if it keeps happening, tell the agent's owner.", "server_error", "internal_error");
}
