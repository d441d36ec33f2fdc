import { eq } from "drizzle-orm";
import type { DbTx } from "#db/client";
import { marketDeployments, marketNodes, marketOrders } from "#db/schema/marketplace";
import type { LeaseEventType } from "../marketplace";
import type { Matchmaker } from "./matchmaker";
import * as store from "./store";

/**
 * What keeps leases alive over time (ADR 024, 029): the sweeper that notices silent nodes,
 * manifest watchdogs and paid time running out, and the bounded retry of a failover that
 * found no node. A deployment that had a lease never fails just because no node could take
 * it at that instant: it orders again every `failoverRetryMs`, up to `failoverRetries` times,
 * and at once when a node joins or comes back, so the endpoint's waiting requests get served.
 */

type Emit = (deploymentId: string, type: LeaseEventType, data?: Record<string, unknown>) => void;

/**
 * An order's bid window closed with no usable bid. A first order fails the deployment at once
 * (the tenant hears what to relax); a failover or a wake — the deployment was served before —
 * waits for a node instead, bounded by `failoverRetries`.
 */
export function closeWithoutBids(matchmaker: Matchmaker, tx: DbTx, emit: Emit, order: store.OrderRow, d: store.DeploymentRow, message: string): void {
  tx.update(marketOrders).set({ state: "closed", closedReason: "no-bids" }).where(eq(marketOrders.id, order.id)).run();
  const servedBefore = store.latestLease(tx, d.id) !== undefined;
  const n = store.consecutiveNoBidOrders(tx, d.id);
  const of = matchmaker.failoverRetries;
  if (servedBefore && n <= of) {
    const waiting = `No node can take it right now: ${message} Ordering again every ${matchmaker.failoverRetryMs / 1000} s (${n} of ${of}); a node that joins or comes back picks it up.`;
    tx.update(marketDeployments).set({ statusMessage: waiting }).where(eq(marketDeployments.id, d.id)).run();
    emit(d.id, "OrderClosed", { orderId: order.id, reason: "no-bids", message, retrying: true, retry: n, retries: of, retryInMs: matchmaker.failoverRetryMs });
    return;
  }
  const failed = servedBefore ? `Failover gave up after ${of} orders found no node: ${message}` : message;
  tx.update(marketDeployments).set({ status: "failed", statusMessage: failed }).where(eq(marketDeployments.id, d.id)).run();
  emit(d.id, "OrderClosed", { orderId: order.id, reason: "no-bids", message: failed });
}

/**
 * Orders again for deployments waiting after a no-bids failover: the due ones, or every one
 * (`dueOnly: false`) when a node just joined or came back.
 */
export function retryAwaitingDeployments(matchmaker: Matchmaker, options: { dueOnly: boolean }): void {
  const now = matchmaker.now();
  for (const { deployment, order } of matchmaker.reads.deploymentsAwaitingRetry()) {
    if (options.dueOnly && order.createdAt.getTime() + matchmaker.failoverRetryMs > now) continue;
    matchmaker.transact((tx, emit) => {
      // Re-read inside the transaction: a concurrent retry or a close may have moved it on.
      const current = store.currentOrder(tx, deployment.id);
      if (store.getDeployment(tx, deployment.id)?.status !== "ordering" || current?.id !== order.id) return;
      // Every live node may bid again: a node excluded earlier may be the one that came back.
      matchmaker.placeOrder(tx, emit, deployment.id, order.attempt + 1, []);
    });
  }
}

export function sweep(matchmaker: Matchmaker): void {
  const now = matchmaker.now();
  const heardBefore = now - matchmaker.heartbeatTimeoutMs;
  // The stored times lag the heartbeats by up to a second: the book has the newest.
  for (const node of matchmaker.reads.staleNodes(heardBefore)) {
    const lastHeardAt = matchmaker.heartbeats.lastHeardAt(node.id, node.lastHeartbeatAt.getTime());
    if (lastHeardAt >= heardBefore || matchmaker.inRestartGrace(node.id, now)) continue;
    matchmaker.transact((tx, emit) => {
      tx.update(marketNodes).set({ status: "down" }).where(eq(marketNodes.id, node.id)).run();
      for (const lease of store.liveLeasesOfNode(tx, node.id)) {
        emit(lease.deploymentId, "NodeDown", { nodeId: node.id, nodeName: node.name, silentForMs: now - lastHeardAt });
        matchmaker.closeLeaseAndReorder(tx, emit, lease, "node-down");
      }
    });
  }
  for (const lease of matchmaker.reads.liveLeases()) {
    const d = matchmaker.reads.deployment(lease.deploymentId);
    if (d?.endsAt && d.endsAt.getTime() <= now) {
      matchmaker.transact((tx, emit) => {
        matchmaker.closeLease(tx, emit, lease, "expired");
        tx.update(marketDeployments).set({ status: "closed", statusMessage: "Its paid time ended.", closedAt: new Date(now) }).where(eq(marketDeployments.id, lease.deploymentId)).run();
        emit(lease.deploymentId, "DeploymentClosed", { reason: "expired" });
      });
    } else if (lease.state === "awaiting-manifest" && lease.manifestDeadline.getTime() <= now) {
      matchmaker.transact((tx, emit) => matchmaker.closeLeaseAndReorder(tx, emit, lease, "manifest-timeout"));
    }
  }
  for (const order of matchmaker.reads.openOrders()) {
    if (order.bidDeadline.getTime() <= now && !matchmaker.hasOrderTimer(order.id)) matchmaker.decide(order.id);
  }
  retryAwaitingDeployments(matchmaker, { dueOnly: true });
}
