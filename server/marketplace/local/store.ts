import { and, asc, desc, eq, gt, inArray, lt, lte } from "drizzle-orm";
import type { DbLike } from "#db/client";
import { marketBids, marketDeployments, marketEvents, marketLeaseLogs, marketLeases, marketNodes, marketOrders } from "#db/schema/marketplace";
import type {
  Bid,
  Lease,
  LeaseCloseReason,
  LeaseEvent,
  LeaseEventType,
  LeaseMetrics,
  LeaseServiceStatus,
  MarketNode,
  NodeCapabilities,
  NodeInventory,
  NodeTier,
  Order,
  OrderRequirements,
} from "../marketplace";

/**
 * Rows of the marketplace tables ↔ the domain types. The matchmaker reads and writes only
 * through these, so money is a bigint everywhere above this file and a string in SQLite.
 */

export type DeploymentRow = typeof marketDeployments.$inferSelect;
export type OrderRow = typeof marketOrders.$inferSelect;
export type LeaseRow = typeof marketLeases.$inferSelect;
export type NodeRow = typeof marketNodes.$inferSelect;

export const toNode = (r: NodeRow): MarketNode => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  region: r.region,
  tier: r.tier as NodeTier,
  inventory: r.inventory as NodeInventory,
  capabilities: r.capabilities as NodeCapabilities,
  status: r.status,
  lastHeartbeatAt: r.lastHeartbeatAt.getTime(),
  payoutAddress: r.payoutAddress,
});

export const toOrder = (r: OrderRow): Order => ({
  id: r.id,
  deploymentId: r.deploymentId,
  attempt: r.attempt,
  state: r.state,
  createdAt: r.createdAt.getTime(),
  bidDeadline: r.bidDeadline.getTime(),
  excludedNodes: r.excludedNodes,
  closedReason: r.closedReason,
});

export const toLease = (r: LeaseRow): Lease => ({
  id: r.id,
  deploymentId: r.deploymentId,
  orderId: r.orderId,
  nodeId: r.nodeId,
  priceWeiPerSecond: BigInt(r.priceWeiPerSecond),
  gpuModel: r.gpuModel,
  gpuCount: r.gpuCount,
  state: r.state,
  createdAt: r.createdAt.getTime(),
  services: r.services as LeaseServiceStatus[],
  metrics: (r.metrics as LeaseMetrics | null) ?? null,
  closedAt: r.closedAt?.getTime() ?? null,
  closeReason: r.closeReason as LeaseCloseReason | null,
});

export const requirementsOf = (d: DeploymentRow) => d.requirements as OrderRequirements;

export function getDeployment(db: DbLike, id: string): DeploymentRow | undefined {
  return db.select().from(marketDeployments).where(eq(marketDeployments.id, id)).get();
}

export function getOrder(db: DbLike, id: string): OrderRow | undefined {
  return db.select().from(marketOrders).where(eq(marketOrders.id, id)).get();
}

export function getLease(db: DbLike, id: string): LeaseRow | undefined {
  return db.select().from(marketLeases).where(eq(marketLeases.id, id)).get();
}

export function getNode(db: DbLike, id: string): NodeRow | undefined {
  return db.select().from(marketNodes).where(eq(marketNodes.id, id)).get();
}

export function openOrders(db: DbLike): OrderRow[] {
  return db.select().from(marketOrders).where(eq(marketOrders.state, "open")).orderBy(asc(marketOrders.createdAt)).all();
}

/** The deployment's latest order (the current attempt). */
export function currentOrder(db: DbLike, deploymentId: string): OrderRow | undefined {
  const rows = db.select().from(marketOrders).where(eq(marketOrders.deploymentId, deploymentId)).all();
  return rows.sort((a, b) => b.attempt - a.attempt)[0];
}

/** The deployment's lease that is not closed, if any (at most one by construction). */
export function liveLease(db: DbLike, deploymentId: string): LeaseRow | undefined {
  return db
    .select()
    .from(marketLeases)
    .where(and(eq(marketLeases.deploymentId, deploymentId), inArray(marketLeases.state, ["awaiting-manifest", "active"])))
    .get();
}

export function latestLease(db: DbLike, deploymentId: string): LeaseRow | undefined {
  const rows = db.select().from(marketLeases).where(eq(marketLeases.deploymentId, deploymentId)).all();
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))[0];
}

/** Leases that ended badly, counted back from the newest until one ended for another reason. */
export function consecutiveFailedLeases(db: DbLike, deploymentId: string): number {
  const ok = new Set(["tenant-closed", "idle", "expired"]);
  const rows = db.select().from(marketLeases).where(eq(marketLeases.deploymentId, deploymentId)).all();
  rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  let n = 0;
  for (const r of rows) {
    if (r.state !== "closed" || ok.has(r.closeReason ?? "")) break;
    n += 1;
  }
  return n;
}

/** Orders closed for want of bids, counted back from the newest until one that was not. */
export function consecutiveNoBidOrders(db: DbLike, deploymentId: string): number {
  const rows = db.select().from(marketOrders).where(eq(marketOrders.deploymentId, deploymentId)).all();
  rows.sort((a, b) => b.attempt - a.attempt);
  let n = 0;
  for (const r of rows) {
    if (r.closedReason !== "no-bids") break;
    n += 1;
  }
  return n;
}

/** Deployments waiting to order again after a failover found no node (ADR 029). */
export function deploymentsAwaitingRetry(db: DbLike): { deployment: DeploymentRow; order: OrderRow }[] {
  return awaitingRetry(db, db.select().from(marketDeployments).where(eq(marketDeployments.status, "ordering")).all());
}

/** Of the deployments in status "ordering", those whose current order closed for want of bids. */
export function awaitingRetry(db: DbLike, ordering: DeploymentRow[]): { deployment: DeploymentRow; order: OrderRow }[] {
  return ordering.flatMap((deployment) => {
    const order = currentOrder(db, deployment.id);
    return order && order.state === "closed" && order.closedReason === "no-bids" ? [{ deployment, order }] : [];
  });
}

export function liveLeasesOfNode(db: DbLike, nodeId: string): LeaseRow[] {
  return db
    .select()
    .from(marketLeases)
    .where(and(eq(marketLeases.nodeId, nodeId), inArray(marketLeases.state, ["awaiting-manifest", "active"])))
    .all();
}

export function liveLeases(db: DbLike): LeaseRow[] {
  return db.select().from(marketLeases).where(inArray(marketLeases.state, ["awaiting-manifest", "active"])).all();
}

export function answersFor(db: DbLike, orderId: string) {
  return db.select().from(marketBids).where(eq(marketBids.orderId, orderId)).all();
}

export function bidsFor(db: DbLike, orderId: string): Bid[] {
  return answersFor(db, orderId).flatMap((r) =>
    r.priceWeiPerSecond === null ? [] : [{ orderId: r.orderId, nodeId: r.nodeId, priceWeiPerSecond: BigInt(r.priceWeiPerSecond), gpuModel: r.gpuModel, createdAt: r.createdAt.getTime() }],
  );
}

export function upNodes(db: DbLike): NodeRow[] {
  return db.select().from(marketNodes).where(eq(marketNodes.status, "up")).all();
}

export function allNodes(db: DbLike): NodeRow[] {
  return db.select().from(marketNodes).orderBy(asc(marketNodes.name)).all();
}

export function staleNodes(db: DbLike, heardBefore: number): NodeRow[] {
  return db
    .select()
    .from(marketNodes)
    .where(and(eq(marketNodes.status, "up"), lt(marketNodes.lastHeartbeatAt, new Date(heardBefore))))
    .all();
}

export function appendEvent(db: DbLike, deploymentId: string, type: LeaseEventType, data: Record<string, unknown>, at: number): LeaseEvent {
  const row = db.insert(marketEvents).values({ deploymentId, type, data, at: new Date(at) }).returning().get();
  return { seq: row.id, deploymentId, type, at, data };
}

export function eventsAfter(db: DbLike, deploymentId: string, after: number): LeaseEvent[] {
  return db
    .select()
    .from(marketEvents)
    .where(and(eq(marketEvents.deploymentId, deploymentId), gt(marketEvents.id, after)))
    .orderBy(asc(marketEvents.id))
    .all()
    .map((r) => ({ seq: r.id, deploymentId: r.deploymentId, type: r.type as LeaseEventType, at: r.at.getTime(), data: r.data }));
}

/** Keeps the newest `keep` lines of a lease: logs are for reading recent behaviour, not an archive. */
export function appendLogs(db: DbLike, leaseId: string, lines: readonly { at: number; line: string }[], keep: number): void {
  if (lines.length === 0) return;
  db.insert(marketLeaseLogs)
    .values(lines.map((l) => ({ leaseId, at: new Date(l.at), line: l.line })))
    .run();
  // The newest line past the `keep` newest (one indexed read, not every id of the lease per report): it and older lines go.
  const oldestDropped = db
    .select({ id: marketLeaseLogs.id })
    .from(marketLeaseLogs)
    .where(eq(marketLeaseLogs.leaseId, leaseId))
    .orderBy(desc(marketLeaseLogs.id))
    .limit(1)
    .offset(keep)
    .get();
  if (oldestDropped) db.delete(marketLeaseLogs).where(and(eq(marketLeaseLogs.leaseId, leaseId), lte(marketLeaseLogs.id, oldestDropped.id))).run();
}

export function logsOfDeployment(db: DbLike, deploymentId: string, limit: number) {
  const leaseIds = db.select({ id: marketLeases.id }).from(marketLeases).where(eq(marketLeases.deploymentId, deploymentId)).all().map((r) => r.id);
  if (leaseIds.length === 0) return [];
  const rows = db.select().from(marketLeaseLogs).where(inArray(marketLeaseLogs.leaseId, leaseIds)).orderBy(asc(marketLeaseLogs.id)).all();
  return rows.slice(-limit).map((r) => ({ at: r.at.getTime(), leaseId: r.leaseId, line: r.line }));
}
