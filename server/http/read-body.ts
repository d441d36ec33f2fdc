import type { IncomingMessage } from "node:http";

/** A request body passed its size limit; the rest of it was not read. */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`The request body is over ${maxBytes} bytes.`);
  }
}

/**
 * Reads a request body of at most `maxBytes`. A declared Content-Length over the limit is
 * refused before reading, and a body sent in chunks is cut off as soon as it passes the limit
 * (the rest is drained, not kept), so a client cannot make the host hold more than the limit.
 */
export function readBodyWithin(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        req.resume();
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}
