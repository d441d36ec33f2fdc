import type { DeploymentRef, DeploymentStatus, LeaseEvent, Marketplace, NodeKind, NodeTier } from "../marketplace/marketplace";
import { formatSponPerHour } from "../marketplace/rules";
import { priceOf, type BidRow, type DeploymentEventView, type LeaseView } from "./market-views";

/**
 * A deployment's event log as people read it, and the bid table of its current order; shared
 * by flow deployments and model endpoints.
 */
const MAX_EVENTS_PER_PAGE = 500;

/** The events after `after`, already stored (no waiting): for polling pages. */
export async function storedEvents(marketplace: Marketplace, ref: DeploymentRef, after = 0): Promise<LeaseEvent[]> {
  const done = new AbortController();
  done.abort();
  const out: LeaseEvent[] = [];
  for await (const e of marketplace.events(ref, { after, signal: done.signal })) {
    out.push(e);
    if (out.length >= MAX_EVENTS_PER_PAGE) break;
  }
  return out;
}

const spon = (wei: unknown) => (typeof wei === "string" && /^\d+$/.test(wei) ? `${formatSponPerHour(BigInt(wei))} SPON/h` : "?");
const str = (v: unknown) => (typeof v === "string" ? v : v === null || v === undefined ? "" : JSON.stringify(v));

/** One sentence per event, for the deploy timeline. */
export function describeEvent(e: LeaseEvent): string {
  const d = e.data;
  const who = d.nodeName ? `${str(d.nodeName)}${d.region ? ` (${str(d.region)}, ${str(d.tier)})` : ""}` : str(d.nodeId);
  switch (e.type) {
    case "OrderCreated":
      return Number(d.attempt) > 1 ? `Order placed again (attempt ${str(d.attempt)}).` : "Order placed; waiting for bids.";
    case "BidPlaced":
      return `Bid from ${who}: ${spon(d.priceWeiPerSecond)}${d.gpuModel ? ` on ${str(d.gpuModel)}` : ""}.`;
    case "BidDeclined":
      return `${who} did not bid: ${str(d.reason)}.`;
    case "OrderMatched":
      return `Lease won by ${str(d.nodeName ?? d.nodeId)} at ${spon(d.priceWeiPerSecond)}.`;
    case "OrderClosed":
      return d.message ? `Order closed: ${str(d.message)}` : `Order closed (${str(d.reason)}).`;
    case "LeaseCreated":
      return `Lease created${d.gpuModel ? ` with ${str(d.gpuCount)} × ${str(d.gpuModel)}` : ""}; sending the manifest.`;
    case "ManifestReceived":
      return "Manifest accepted by the node (hash matches the order).";
    case "ManifestRejected":
      return `Manifest rejected: ${str(d.reason)}.`;
    case "ServiceStarting":
      return `Starting ${str(d.service)}.`;
    case "ServiceReady":
      return `${str(d.service)} is ready.`;
    case "ServiceNotRun":
      return `${str(d.service)} not run: ${str(d.message)}`;
    case "ServiceUnhealthy":
      return `${str(d.service)} is unhealthy${d.message ? `: ${str(d.message)}` : ""}.`;
    case "ServiceFailed":
      return `${str(d.service)} failed${d.message ? `: ${str(d.message)}` : ""}.`;
    case "NodeDown":
      return `Node ${str(d.nodeName ?? d.nodeId)} stopped answering; moving the lease.`;
    case "LeaseClosed":
      return `Lease closed (${str(d.reason)}).`;
    case "DeploymentSleeping":
      return "Asleep after idle time; the next request wakes it.";
    case "DeploymentWaking":
      return "Waking up for a request.";
    case "DeploymentClosed":
      if (typeof d.message === "string") return d.message;
      return d.reason === "expired" ? "Stopped: its paid time ended." : "Stopped.";
  }
}

export function eventView(e: LeaseEvent): DeploymentEventView {
  return { seq: e.seq, type: e.type, at: e.at, text: describeEvent(e), data: e.data };
}

/** The current order's answers from its events: cheapest bid first, then the declines. */
export function bidRows(events: readonly LeaseEvent[], status: DeploymentStatus): BidRow[] {
  const orderId = status.order?.id;
  if (!orderId) return [];
  const winner = status.lease?.orderId === orderId ? status.lease.nodeId : null;
  const rows = events
    .filter((e) => (e.type === "BidPlaced" || e.type === "BidDeclined") && e.data.orderId === orderId)
    .map((e): BidRow & { wei: bigint } => {
      const d = e.data;
      const wei = e.type === "BidPlaced" && typeof d.priceWeiPerSecond === "string" ? BigInt(d.priceWeiPerSecond) : -1n;
      return {
        nodeId: str(d.nodeId),
        nodeName: str(d.nodeName ?? d.nodeId),
        kind: (d.kind as NodeKind | undefined) ?? null,
        region: typeof d.region === "string" ? d.region : null,
        tier: (d.tier as NodeTier | undefined) ?? null,
        gpuModel: typeof d.gpuModel === "string" ? d.gpuModel : null,
        price: wei >= 0n ? priceOf(wei) : null,
        declined: e.type === "BidDeclined" ? str(d.reason) : null,
        won: e.type === "BidPlaced" && d.nodeId === winner,
        at: e.at,
        wei,
      };
    });
  rows.sort((a, b) => (a.wei < 0n ? 1 : 0) - (b.wei < 0n ? 1 : 0) || (a.wei < b.wei ? -1 : a.wei > b.wei ? 1 : 0) || a.at - b.at);
  return rows.map(({ wei: _wei, ...row }) => row);
}

export function leaseView(status: DeploymentStatus): LeaseView | null {
  const l = status.lease;
  if (!l) return null;
  return {
    id: l.id,
    state: l.state,
    price: priceOf(l.priceWeiPerSecond),
    gpuModel: l.gpuModel,
    gpuCount: l.gpuCount,
    createdAt: l.createdAt,
    closedAt: l.closedAt,
    closeReason: l.closeReason,
    services: l.services.map((s) => ({ name: s.name, state: s.state, message: s.message, notRun: s.notRun ?? null })),
  };
}
