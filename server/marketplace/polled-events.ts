import { MarketplaceError, type DeploymentStatus, type LeaseEvent, type LeaseEventType } from "./marketplace";

/**
 * Events for marketplaces that keep no event log of ours (kubernetes, spheron): the changes a
 * stream sees by polling `status` — each service's state, then DeploymentClosed — numbered from
 * 1 per stream, so `after` skips the first that many. The local marketplace has a real log.
 */
const SERVICE_EVENT = { starting: "ServiceStarting", ready: "ServiceReady", unhealthy: "ServiceUnhealthy", failed: "ServiceFailed", "not-run": "ServiceNotRun" } as const;

export async function* polledEvents(
  deploymentId: string,
  status: () => Promise<DeploymentStatus>,
  options: { after?: number; signal?: AbortSignal; pollMs: number },
): AsyncIterable<LeaseEvent> {
  const seen = new Map<string, string>();
  let seq = 0;
  let lastStatus = "";
  while (!options.signal?.aborted) {
    const now = await status().catch((error: unknown) => (error instanceof MarketplaceError && error.code === "NOT_FOUND" && seq > 0 ? null : Promise.reject(error)));
    const found: { type: LeaseEventType; data: Record<string, unknown> }[] = [];
    for (const s of now?.lease?.services ?? []) {
      if (seen.get(s.name) === s.state) continue;
      seen.set(s.name, s.state);
      found.push({ type: SERVICE_EVENT[s.state], data: { leaseId: now?.lease?.id, nodeId: now?.lease?.nodeId, service: s.name, state: s.state, uri: s.uri, message: s.message } });
    }
    if (now && now.status === "failed" && lastStatus !== "failed") found.push({ type: "OrderClosed", data: { reason: "failed", message: now.message } });
    const closed = !now || now.status === "closed";
    if (closed) found.push({ type: "DeploymentClosed", data: { reason: now?.message ?? "closed" } });
    lastStatus = now?.status ?? "closed";
    for (const e of found) {
      seq += 1;
      if (seq > (options.after ?? 0)) yield { seq, deploymentId, type: e.type, at: Date.now(), data: e.data };
    }
    if (closed) return;
    await pause(options.pollMs, options.signal);
  }
}

export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
