import { and, eq } from "drizzle-orm";
import type { Hash } from "viem";
import type { Db } from "#db/client";
import { flowDeployments, modelEndpoints } from "#db/schema";
import { FUNDS_RAN_OUT, FundsNeeded, type LeaseBilling, type LeaseEscrowRow, type LeaseSubject } from "../billing/lease-billing";
import type { Budget, DeploymentRef, DeploymentStatus, Lease, Marketplace } from "../marketplace/marketplace";
import { UNTIL_STOPPED_SECONDS } from "./deployment-plan";
import { preconditionFailed } from "./errors";

/**
 * Keeps each billed deployment's escrow order in step with its marketplace lease (ADR 031), on a
 * timer and after every deploy or stop:
 * - a lease won (ready or starting) on a locked order → startLease at the bid's rate;
 * - the lease gone (stopped, failed over, asleep, expired) → close: pay what accrued, return the rest;
 * - a lease whose escrow cannot pay another second → close, and stop the endpoint or deployment
 *   with "Funds ran out" (the watchdog);
 * - a deployment ordering again (failover, wake) with no open order → a new order for the time
 *   it has left, or stopped with "Funds ran out" when the team cannot cover it.
 * Every step is idempotent (LeaseBilling reads the chain first), so a restart just carries on.
 */
const SYNC_EVERY_MS = 1_000;

/**
 * "Until stopped" is leased for the marketplace's longest term (a year); its escrow is held a day
 * at a time instead, renewed (close, then a new order on the same lease) when the day is spent.
 */
export const ROLLING_ESCROW_SECONDS = 24 * 3600;

/**
 * How long a failover's or wake's new order waits for the ended order's refund to reach the
 * ledger (the watcher's confirmations) before it is reserved anyway.
 */
export const REFUND_WAIT_MS = 120_000;

/** What to reserve for `secondsLeft` at `maxWeiPerSecond`: all of it, or a day of an "until stopped" term. */
export function escrowToReserve(maxWeiPerSecond: bigint, durationSeconds: number, secondsLeft: number): bigint {
  const seconds = durationSeconds >= UNTIL_STOPPED_SECONDS ? Math.min(secondsLeft, ROLLING_ESCROW_SECONDS) : secondsLeft;
  return maxWeiPerSecond * BigInt(seconds);
}
const LIVE: readonly DeploymentStatus["status"][] = ["ordering", "leased", "ready"];

export type StopSubject = (subject: { kind: LeaseSubject["kind"]; id: string; teamId: string }, message: string) => void;

export class LeaseBillingSync {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      leases: LeaseBilling;
      marketplace: Marketplace;
      /** Marks the endpoint or flow deployment stopped (its row), with why. */
      stopSubject: StopSubject;
      /** Before a first reservation finds no money: the devnet's welcome grant, if the team never had it (ADR 030). */
      welcome?: (teamId: string) => Promise<unknown>;
      now?: () => number;
    },
  ) {}

  get leases(): LeaseBilling {
    return this.deps.leases;
  }

  start(): void {
    if (!this.deps.leases.enabled) return;
    this.timer = setInterval(() => void this.sync().catch((error: unknown) => console.warn("Lease billing: a sync pass failed (next pass retries):", error)), SYNC_EVERY_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /**
   * Reserves and locks the escrow for a deployment about to be placed, places it, and binds the
   * order to it; the order is closed again when placing fails. Billing off: just places it.
   * Throws PRECONDITION_FAILED ("Add funds: …") with nothing reserved when the team cannot pay.
   */
  async placePaid(input: { teamId: string; budget: Budget; subject: LeaseSubject }, place: () => Promise<DeploymentStatus>): Promise<DeploymentStatus> {
    if (!this.deps.leases.enabled) return place();
    const { budget } = input;
    const escrowWei = escrowToReserve(budget.maxPriceWeiPerSecond, budget.durationSeconds, budget.durationSeconds);
    if (this.deps.leases.availableWei(input.teamId) < escrowWei) await this.deps.welcome?.(input.teamId);
    const orderId = await this.reserve({ teamId: input.teamId, escrowWei, subject: input.subject });
    let status: DeploymentStatus;
    try {
      status = await place();
    } catch (error) {
      await this.deps.leases.close(orderId);
      throw error;
    }
    this.deps.leases.bindDeployment(orderId, status.id);
    void this.sync().catch(() => undefined);
    return status;
  }

  /** Reserves and locks, with the refusal as a domain error the Deploy panel shows. */
  async reserve(input: { teamId: string; escrowWei: bigint; subject: LeaseSubject }): Promise<Hash> {
    try {
      return await this.deps.leases.reserveAndLock(input);
    } catch (error) {
      if (error instanceof FundsNeeded) throw preconditionFailed(error.message);
      throw error;
    }
  }

  /** A stop, delete or replacement: ends the deployment's open orders now (the sync would, a second later). */
  async closeDeployment(marketDeploymentId: string): Promise<void> {
    if (!this.deps.leases.enabled) return;
    for (const row of this.deps.leases.ordersOf(marketDeploymentId)) {
      if (row.state === "reserved" || row.state === "locked" || row.state === "leased") await this.deps.leases.close(row.order_id);
    }
  }

  /** One pass over every open order and every live deployment without one; one at a time. */
  sync(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    const leases = this.deps.leases;
    const touched = new Set<string>();
    for (const row of leases.openOrders()) {
      if (!row.market_deployment_id) continue; // being placed: its deploy call binds it
      touched.add(row.market_deployment_id);
      await this.step(row, row.market_deployment_id).catch((error: unknown) => console.warn(`Lease billing: order ${row.order_id} could not move on yet:`, error));
    }
    await this.reorderWhereNeeded(touched);
  }

  private async statusOf(row: LeaseEscrowRow, deploymentId: string): Promise<DeploymentStatus | null> {
    const ref: DeploymentRef = { teamId: row.team_id, deploymentId };
    return this.deps.marketplace.status(ref).catch(() => null);
  }

  private async step(row: LeaseEscrowRow, deploymentId: string): Promise<void> {
    const leases = this.deps.leases;
    const status = await this.statusOf(row, deploymentId);
    const live = status !== null && LIVE.includes(status.status);
    const lease = status?.lease && status.lease.state !== "closed" ? status.lease : null;
    if (row.state === "reserved") {
      // The lock's outcome was unknown (a restart mid-deploy): lock it if still wanted, else give it back.
      if (live) await leases.lock(row.order_id);
      else await leases.close(row.order_id);
      return;
    }
    if (row.state === "locked") {
      if (!live) return leases.close(row.order_id);
      if (lease && !leases.isLeaseBound(lease.id)) {
        await leases.start(row.order_id, { marketOrderId: lease.orderId, leaseId: lease.id, nodeId: lease.nodeId, ratePerSecond: lease.priceWeiPerSecond });
      }
      return;
    }
    // leased
    if (!live || !lease || lease.id !== row.lease_id) return leases.close(row.order_id);
    if (!(await leases.exhausted(row.order_id))) return;
    if (status.durationSeconds >= UNTIL_STOPPED_SECONDS) await this.renew(row, status, lease);
    else await this.fundsRanOut(row, deploymentId);
  }

  /** An "until stopped" lease spent its day of escrow: the next day on a new order, same lease; or stopped when unpaid. */
  private async renew(row: LeaseEscrowRow, status: DeploymentStatus, lease: Lease): Promise<void> {
    const leases = this.deps.leases;
    await leases.close(row.order_id);
    const subject = { kind: row.subject_kind, id: row.subject_id, label: row.subject_label };
    const escrowWei = escrowToReserve(status.maxPriceWeiPerSecond, status.durationSeconds, ROLLING_ESCROW_SECONDS);
    let orderId: Hash;
    try {
      orderId = await leases.reserveAndLock({ teamId: row.team_id, escrowWei, subject, marketDeploymentId: status.id });
    } catch (error) {
      if (!(error instanceof FundsNeeded)) throw error;
      this.deps.stopSubject({ kind: row.subject_kind, id: row.subject_id, teamId: row.team_id }, FUNDS_RAN_OUT);
      await this.deps.marketplace.close({ teamId: row.team_id, deploymentId: status.id }, { message: FUNDS_RAN_OUT });
      return;
    }
    await leases.start(orderId, { marketOrderId: lease.orderId, leaseId: lease.id, nodeId: lease.nodeId, ratePerSecond: lease.priceWeiPerSecond });
  }

  private async fundsRanOut(row: LeaseEscrowRow, deploymentId: string): Promise<void> {
    await this.deps.leases.close(row.order_id, FUNDS_RAN_OUT);
    this.deps.stopSubject({ kind: row.subject_kind, id: row.subject_id, teamId: row.team_id }, FUNDS_RAN_OUT);
    await this.deps.marketplace.close({ teamId: row.team_id, deploymentId }, { message: FUNDS_RAN_OUT });
  }

  /**
   * Deployments whose last order ended while the deployment goes on (a failover or a wake placed
   * a new market order): a new escrow order for the time it has left, once the ended order's
   * refund is in the ledger (its new lease runs unbilled until then, as between a market lease
   * and its chain start).
   */
  private async reorderWhereNeeded(skip: ReadonlySet<string>): Promise<void> {
    const leases = this.deps.leases;
    for (const last of leases.lastOrdersOfLiveDeployments()) {
      const deploymentId = last.market_deployment_id as string;
      if (skip.has(deploymentId) || last.stop_message !== null) continue;
      const now = (this.deps.now ?? Date.now)();
      // The chain refunded the ended order at its close, the ledger not yet: reserving now would
      // find that money still held and stop a team that can pay with "Funds ran out".
      if (!leases.escrowReturned(last) && now - last.updated_at < REFUND_WAIT_MS) continue;
      const status = await this.statusOf(last, deploymentId);
      if (!status || !LIVE.includes(status.status)) continue;
      const seconds = status.endsAt === null ? status.durationSeconds : Math.max(60, Math.ceil((status.endsAt - now) / 1000));
      const escrowWei = escrowToReserve(status.maxPriceWeiPerSecond, status.durationSeconds, seconds);
      const subject = { kind: last.subject_kind, id: last.subject_id, label: last.subject_label };
      try {
        const orderId = await leases.reserveAndLock({ teamId: last.team_id, escrowWei, subject, marketDeploymentId: deploymentId });
        await this.step(leases.row(orderId) as LeaseEscrowRow, deploymentId);
      } catch (error) {
        if (!(error instanceof FundsNeeded)) throw error;
        this.deps.stopSubject({ kind: last.subject_kind, id: last.subject_id, teamId: last.team_id }, FUNDS_RAN_OUT);
        await this.deps.marketplace.close({ teamId: last.team_id, deploymentId }, { message: FUNDS_RAN_OUT });
      }
    }
  }
}

/**
 * Marks a billed endpoint or flow deployment stopped (the marketplace side is closed by the
 * caller). `endpointStopped` lets the endpoint service drop its cached rows, so the gateway
 * does not route by the old "running" row.
 */
export function stopBilledSubject(db: Db, endpointStopped: () => void = () => undefined): StopSubject {
  return (subject) => {
    const now = new Date();
    if (subject.kind === "endpoint") {
      db.update(modelEndpoints).set({ state: "stopped", updatedAt: now }).where(and(eq(modelEndpoints.id, subject.id), eq(modelEndpoints.teamId, subject.teamId))).run();
      endpointStopped();
    } else {
      db.update(flowDeployments).set({ state: "stopped", stoppedAt: now }).where(and(eq(flowDeployments.id, subject.id), eq(flowDeployments.teamId, subject.teamId))).run();
    }
  };
}
