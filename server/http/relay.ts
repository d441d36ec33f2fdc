import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * What `relay` passed on: the first `keepBytes` of it (for metering), its whole size, and the
 * upstream's error if it failed mid-answer (the client's response is left open then, for the
 * caller to end as it ends failures).
 */
export type Relayed = { kept: Buffer[]; size: number; failed: Error | null };

/**
 * Passes an upstream answer to the client chunk by chunk as it arrives (streams stay streams),
 * pausing the upstream while the client is slow, and keeps up to `keepBytes` of it for the
 * caller. On the proxies' per-request path (the gateway's endpoint proxy, a node's lease
 * server) this costs less than `pipe`, which adds and removes a dozen listeners per answer.
 * Resolves when the answer ended, when the client went away (the upstream is destroyed then),
 * or when the upstream failed.
 */
export function relay(from: IncomingMessage, to: ServerResponse, keepBytes: number): Promise<Relayed> {
  const relayed: Relayed = { kept: [], size: 0, failed: null };
  return new Promise((resolve) => {
    let settled = false;
    const settle = (failed: Error | null) => {
      if (settled) return;
      settled = true;
      to.off("close", onClientGone);
      relayed.failed = failed;
      resolve(relayed);
    };
    const onClientGone = () => {
      settle(null);
      from.destroy();
    };
    const resume = () => from.resume();
    from.on("data", (chunk: Buffer) => {
      relayed.size += chunk.length;
      if (relayed.size <= keepBytes) relayed.kept.push(chunk);
      if (!to.write(chunk)) {
        from.pause();
        to.once("drain", resume);
      }
    });
    from.once("end", () => {
      to.end();
      settle(null);
    });
    // `on`, not `once`: a destroyed upstream may report more than one error.
    from.on("error", (error) => settle(error));
    to.once("close", onClientGone);
  });
}
