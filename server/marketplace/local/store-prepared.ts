import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "#db/client";
import { marketBids, marketDeployments, marketLeases, marketNodes, marketOrders } from "#db/schema/marketplace";
import { awaitingRetry, type DeploymentRow, type LeaseRow, type NodeRow, type OrderRow } from "./store";

/**
 * The reads that run on every long poll and every sweep, prepared once (issue 12: drizzle
 * building the same SQL on each call was a visible part of the matchmaker's cost). They read
 * through the matchmaker's connection, outside transactions; transitions use store.ts.
 */
export class PreparedReads {
  private readonly openOrderRows;
  private readonly deploymentById;
  private readonly answerNodes;
  private readonly liveLeaseRowsOfNode;
  private readonly liveLeaseRows;
  private readonly staleNodeRows;
  private readonly orderingDeployments;

  constructor(private readonly db: Db) {
    const live = inArray(marketLeases.state, ["awaiting-manifest", "active"]);
    this.openOrderRows = db.select().from(marketOrders).where(eq(marketOrders.state, "open")).orderBy(asc(marketOrders.createdAt)).prepare();
    this.deploymentById = db.select().from(marketDeployments).where(eq(marketDeployments.id, sql.placeholder("id"))).prepare();
    this.answerNodes = db.select({ nodeId: marketBids.nodeId }).from(marketBids).where(eq(marketBids.orderId, sql.placeholder("orderId"))).prepare();
    this.liveLeaseRowsOfNode = db.select().from(marketLeases).where(and(eq(marketLeases.nodeId, sql.placeholder("nodeId")), live)).prepare();
    this.liveLeaseRows = db.select().from(marketLeases).where(live).prepare();
    this.staleNodeRows = db
      .select()
      .from(marketNodes)
      .where(and(eq(marketNodes.status, "up"), lt(marketNodes.lastHeartbeatAt, sql.placeholder("before"))))
      .prepare();
    this.orderingDeployments = db.select().from(marketDeployments).where(eq(marketDeployments.status, "ordering")).prepare();
  }

  openOrders(): OrderRow[] {
    return this.openOrderRows.all();
  }

  deployment(id: string): DeploymentRow | undefined {
    return this.deploymentById.get({ id });
  }

  /** The nodes that bid on or declined the order. */
  answeredBy(orderId: string): Set<string> {
    return new Set(this.answerNodes.all({ orderId }).map((a) => a.nodeId));
  }

  liveLeasesOfNode(nodeId: string): LeaseRow[] {
    return this.liveLeaseRowsOfNode.all({ nodeId });
  }

  liveLeases(): LeaseRow[] {
    return this.liveLeaseRows.all();
  }

  /** Up nodes whose stored last heartbeat is before `heardBefore` (ms). */
  staleNodes(heardBefore: number): NodeRow[] {
    return this.staleNodeRows.all({ before: heardBefore });
  }

  deploymentsAwaitingRetry(): { deployment: DeploymentRow; order: OrderRow }[] {
    return awaitingRetry(this.db, this.orderingDeployments.all());
  }
}
