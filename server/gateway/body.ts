import type { IncomingMessage as Request } from "node:http";
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
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_GATEWAY_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_GATEWAY_BODY_BYTES) {
        req.off("data", onData);
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve());
    req.once("error", reject);
  });
  const text = chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new GatewayError(400, "The request body is empty; send a JSON object with `model` and `messages`.", "invalid_request_error", null, null);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError(400, "The request body is not valid JSON.", "invalid_request_error", "invalid_json", null);
  }
}
