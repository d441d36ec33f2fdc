import type { IncomingMessage as Request } from "node:http";
import { BodyTooLargeError, readBodyWithin } from "../http/read-body";
import { GatewayError } from "./errors";

/** Largest /v1 request body accepted; a long conversation fits many times over. */
export const MAX_GATEWAY_BODY_BYTES = 1024 * 1024;

function tooLarge(): GatewayError {
  return new GatewayError(
    413,
    `The request body is over ${MAX_GATEWAY_BODY_BYTES / 1024 / 1024} MB; send fewer or shorter messages.`,
    "invalid_request_error",
    "request_too_large",
  );
}

/**
 * Reads a JSON body with a hard size limit: a declared Content-Length over the limit is refused
 * before reading, and a chunked body is cut off as soon as it passes the limit.
 */
export async function readJsonBody(req: Request): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBodyWithin(req, MAX_GATEWAY_BODY_BYTES);
  } catch (error) {
    throw error instanceof BodyTooLargeError ? tooLarge() : error;
  }
  const text = body.toString("utf8");
  if (text.trim() === "") throw new GatewayError(400, "The request body is empty; send a JSON object with `model` and `messages`.", "invalid_request_error", null, null);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError(400, "The request body is not valid JSON.", "invalid_request_error", "invalid_json", null);
  }
}
