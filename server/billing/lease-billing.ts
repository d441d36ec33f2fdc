/**
 * Leases paid from a team's escrow (ADR 031, the steps ADR 030 left open). One escrow order per
 * marketplace lease attempt, carried forward by its row in `lease_escrows`:
 *
 *   reserve (ledger: available → held, key lease:reserve:<orderId>, refused when it cannot be paid)
 *   → lock on the chain (the watcher's OrderLocked posting is then a no-op)
 *   → startLease at the winning bid's wei/s (the chain streams it to the provider by the second)
 *   → close (LeaseSettled pays the provider, LeaseClosed's refund goes back to available: both
 *     posted by the watcher), or unlock if no lease started, or release the reservation if the
 *     lock never happened.
 *
 * Every step reads the chain's state of the order first and only moves it forward, so doing a
 * step twice (stop pressed twice, a host restarted mid-stop) changes nothing the second time.
 * Chain writes run one at a time through `serialize` (they share the operator's nonce), which
 * also makes each step atomic with respect to the others in this process.
 */
import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import { getAddress, keccak256, toHex, type Address, type Hash } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { LeaseEscrowState } from "#db/schema";
import { accountId } from "./accounts";
import { amountFromText, amountToText, weiToSpon } from "./amounts";
import type { ChainBilling } from "./chain-billing";
import { leaseReleaseKey, leaseReserveKey } from "./chain-postings";
import { linkProvider } from "./earnings";
import { InsufficientFunds, type Ledger } from "./ledger";

export type LeaseSubject = { kind: "endpoint" | "deployment"; id: string; label: string };

export type LeaseEscrowRow = {
  order_id: Hash;
  team_id: string;
  subject_kind: LeaseSubject["kind"];
  subject_id: string;
  subject_label: string;
  market_deployment_id: string | null;
  market_order_id: string | null;
  lease_id: string | null;
  node_id: string | null;
  provider_address: string | null;
  escrow_wei: string;
  rate_per_second: string | null;
  paid_wei: string | null;
  state: LeaseEscrowState;
  started_at: number | null;
  stop_message: string | null;
  created_at: number;
  updated_at: number;
};

/** Where a lease is, from the team's side: what is held, what it has cost so far, why it stopped. */
export type LeaseSpend = {
  orderId: Hash;
  state: LeaseEscrowState;
  escrowWei: bigint;
  ratePerSecond: bigint | null;
  /** Streamed to the provider so far (rate × seconds since the chain's start, capped at the escrow). */
  spentWei: bigint;
  /** Still held for it (escrow − spent while it runs; 0 once closed). */
  heldWei: bigint;
  stopMessage: string | null;
};

export const FUNDS_RAN_OUT = "Funds ran out: add funds and start again.";

/** The team cannot cover an order's escrow: nothing was reserved. PRECONDITION_FAILED to callers. */
export class FundsNeeded extends Error {
  constructor(
    readonly neededWei: bigint,
    readonly availableWei: bigint,
  ) {
    super(`Add funds: this deployment needs ${weiToSpon(neededWei)} SPON in escrow, available ${weiToSpon(availableWei)} SPON. Add funds on the Billing page, or choose a shorter duration or a lower maximum price.`);
    this.name = "FundsNeeded";
  }
}

/** SponEscrow.OrderState */
const ORDER_STATE = { None: 0, Locked: 1, Leased: 2, Closed: 3, Unlocked: 4 } as const;
const OPEN_STATES: readonly LeaseEscrowState[] = ["reserved", "locked", "leased"];

/**
 * The escrow address a marketplace node is paid at when its operator named none, derived from
 * its id (the embedded nodes; ADR 031). Deterministic, so a restart pays the same.
 */
export function providerAddressFor(nodeId: string): Address {
  return privateKeyToAccount(keccak256(toHex(`skyloom-provider:${nodeId}`))).address;
}

/** Where a node's lease is paid: the address its operator gave (`--payout-address`), else the derived one. */
export function payoutAddressOf(nodeId: string, given: string | null): Address {
  return given ? getAddress(given) : providerAddressFor(nodeId);
}

export class LeaseBilling {
  private readonly q;

  constructor(
    private readonly deps: {
      sqlite: Database.Database;
      ledger: Ledger;
      chain: ChainBilling | null;
      depositRef: (teamId: string) => Hash;
      /** Runs a chain write after every other one this host started (the operator's nonce). */
      serialize: <T>(send: () => Promise<T>) => Promise<T>;
      now?: () => number;
    },
  ) {
    const db = deps.sqlite;
    this.q = {
      insert: db.prepare(
        `INSERT INTO lease_escrows (order_id, team_id, subject_kind, subject_id, subject_label, market_deployment_id, escrow_wei, state, created_at, updated_at)
         VALUES (@orderId, @teamId, @kind, @id, @label, @deploymentId, @escrowWei, 'reserved', @now, @now)`,
      ),
      row: db.prepare<[string], LeaseEscrowRow>("SELECT * FROM lease_escrows WHERE order_id = ?"),
      setState: db.prepare("UPDATE lease_escrows SET state = ?, updated_at = ? WHERE order_id = ?"),
      bind: db.prepare("UPDATE lease_escrows SET market_deployment_id = ?, updated_at = ? WHERE order_id = ?"),
      started: db.prepare(
        `UPDATE lease_escrows SET state = 'leased', market_order_id = @marketOrderId, lease_id = @leaseId, node_id = @nodeId, provider_address = @provider,
         rate_per_second = @rate, started_at = @startedAt, updated_at = @now WHERE order_id = @orderId`,
      ),
      closed: db.prepare("UPDATE lease_escrows SET state = ?, paid_wei = ?, stop_message = COALESCE(stop_message, ?), updated_at = ? WHERE order_id = ?"),
      open: db.prepare<[], LeaseEscrowRow>(`SELECT * FROM lease_escrows WHERE state IN ('reserved', 'locked', 'leased') ORDER BY created_at`),
      ofDeployment: db.prepare<[string], LeaseEscrowRow>("SELECT * FROM lease_escrows WHERE market_deployment_id = ? ORDER BY created_at DESC, rowid DESC"),
      boundToLease: db.prepare<[string], { order_id: string }>("SELECT order_id FROM lease_escrows WHERE lease_id = ?"),
      // The latest order of each live marketplace deployment, when that order has ended.
      endedOfLive: db.prepare<[], LeaseEscrowRow>(
        `SELECT e.* FROM lease_escrows e JOIN market_deployments d ON d.id = e.market_deployment_id
         WHERE d.status IN ('ordering', 'leased', 'ready') AND e.state IN ('closed', 'unlocked', 'released')
           AND e.rowid = (SELECT x.rowid FROM lease_escrows x WHERE x.market_deployment_id = e.market_deployment_id ORDER BY x.created_at DESC, x.rowid DESC LIMIT 1)`,
      ),
      heldLinesOf: db.prepare<[string, string], { amount: string }>(
        "SELECT l.amount FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id WHERE l.account_id = ? AND e.memo = ?",
      ),
      nodeTeam: db.prepare<[string], { team_id: string | null; name: string; payout_address: string | null }>("SELECT team_id, name, payout_address FROM market_nodes WHERE id = ?"),
    };
  }

  /** Whether leases are paid from escrow (billing on): with billing off, deployments are not billed. */
  get enabled(): boolean {
    return this.deps.chain !== null;
  }

  private get chain(): ChainBilling {
    if (!this.deps.chain) throw new Error("Lease billing needs the chain (billing is off).");
    return this.deps.chain;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  row(orderId: Hash): LeaseEscrowRow | undefined {
    return this.q.row.get(orderId.toLowerCase());
  }

  openOrders(): LeaseEscrowRow[] {
    return this.q.open.all();
  }

  /** The deployment's escrow orders, newest first. */
  ordersOf(marketDeploymentId: string): LeaseEscrowRow[] {
    return this.q.ofDeployment.all(marketDeploymentId);
  }

  /** Live marketplace deployments whose latest order has ended (a failover or a wake ordered again). */
  lastOrdersOfLiveDeployments(): LeaseEscrowRow[] {
    return this.q.endedOfLive.all();
  }

  /** The team's spendable balance now. */
  availableWei(teamId: string): bigint {
    return this.deps.ledger.balanceOf(accountId.available({ teamId }));
  }

  /**
   * Whether an order's escrow has left the team's held balance in the ledger: paid and refunded
   * (posted by the watcher once the chain's close is confirmed), unlocked, or released. The chain
   * gives a close's refund back at once; the ledger only some confirmations later.
   */
  escrowReturned(row: LeaseEscrowRow): boolean {
    const held = this.q.heldLinesOf.all(accountId.held({ teamId: row.team_id }), row.order_id);
    return held.reduce((sum, line) => sum + amountFromText(line.amount), 0n) === 0n;
  }

  isLeaseBound(leaseId: string): boolean {
    return this.q.boundToLease.get(leaseId) !== undefined;
  }

  /**
   * Reserves `escrowWei` of the team's available balance for a new order (available → held) and
   * records the order, in one transaction: two reservations at once cannot take the same money.
   * Throws FundsNeeded, having written nothing, when the balance cannot cover it.
   */
  reserve(input: { teamId: string; escrowWei: bigint; subject: LeaseSubject; marketDeploymentId?: string | null }): Hash {
    if (input.escrowWei <= 0n) throw new RangeError("An order's escrow must be above zero.");
    this.deps.depositRef(input.teamId);
    const orderId = `0x${randomBytes(32).toString("hex")}` as Hash;
    const team = { teamId: input.teamId };
    try {
      this.deps.ledger.atomically(() => {
        this.deps.ledger.post({
          key: leaseReserveKey(orderId),
          kind: "lease.reserve",
          teamId: input.teamId,
          memo: orderId,
          lines: [
            { account: accountId.available(team), amount: -input.escrowWei },
            { account: accountId.held(team), amount: input.escrowWei },
          ],
        });
        const { kind, id, label } = input.subject;
        this.q.insert.run({ orderId, teamId: input.teamId, kind, id, label, deploymentId: input.marketDeploymentId ?? null, escrowWei: amountToText(input.escrowWei), now: this.now() });
      });
    } catch (error) {
      if (error instanceof InsufficientFunds) throw new FundsNeeded(input.escrowWei, error.balance);
      throw error;
    }
    return orderId;
  }

  /** Locks a reserved order on the chain; a lock the chain refuses gives the reservation back and throws. */
  lock(orderId: Hash): Promise<void> {
    return this.deps.serialize(async () => {
      const row = this.mustRow(orderId);
      if (row.state !== "reserved") return;
      const state = await this.chainState(orderId);
      if (state === ORDER_STATE.None) {
        try {
          await this.chain.chain.escrowTx.lock(orderId, this.deps.depositRef(row.team_id), amountFromText(row.escrow_wei));
        } catch (error) {
          // Refused before or at mining: no lock exists, the reservation goes back. An unknown
          // outcome (no receipt) stays reserved; the next step reads the chain and decides.
          if ((await this.chainState(orderId).catch(() => -1)) === ORDER_STATE.None) this.release(row);
          throw error;
        }
      }
      this.q.setState.run("locked", this.now(), orderId);
    });
  }

  /** Reserve, then lock: what a deploy does before it places its order. */
  async reserveAndLock(input: { teamId: string; escrowWei: bigint; subject: LeaseSubject; marketDeploymentId?: string | null }): Promise<Hash> {
    const orderId = this.reserve(input);
    await this.lock(orderId);
    return orderId;
  }

  /** Names the marketplace deployment an order pays for (known once it is placed). */
  bindDeployment(orderId: Hash, marketDeploymentId: string): void {
    this.q.bind.run(marketDeploymentId, this.now(), orderId);
  }

  /**
   * Starts the lease on the chain at the winning bid's rate, paying the node's address, and links
   * that address to the node's team (its earnings page) when the node belongs to one.
   */
  start(orderId: Hash, lease: { marketOrderId: string; leaseId: string; nodeId: string; ratePerSecond: bigint }): Promise<void> {
    return this.deps.serialize(async () => {
      const row = this.mustRow(orderId);
      if (row.state !== "locked") return;
      const node = this.q.nodeTeam.get(lease.nodeId);
      const provider = payoutAddressOf(lease.nodeId, node?.payout_address ?? null);
      if (node?.team_id) linkProvider(this.deps.sqlite, { teamId: node.team_id, address: provider, label: node.name, nodeId: lease.nodeId });
      if ((await this.chainState(orderId)) === ORDER_STATE.Locked) await this.chain.chain.escrowTx.startLease(orderId, provider, lease.ratePerSecond);
      const order = await this.chain.chain.escrow.read.orders([orderId]);
      if (order[2] !== ORDER_STATE.Leased) throw new Error(`Escrow order ${orderId} is in state ${order[2]} on the chain, not leased.`);
      this.q.started.run({
        orderId,
        marketOrderId: lease.marketOrderId,
        leaseId: lease.leaseId,
        nodeId: lease.nodeId,
        provider: order[1].toLowerCase(),
        rate: amountToText(order[5]),
        startedAt: Number(order[3]),
        now: this.now(),
      });
    });
  }

  /**
   * Ends an order whatever step it reached: closes a lease (the provider is paid what accrued,
   * the rest returns), unlocks a lock, releases a reservation. Idempotent.
   */
  close(orderId: Hash, stopMessage: string | null = null): Promise<void> {
    return this.deps.serialize(async () => {
      const row = this.mustRow(orderId);
      if (!OPEN_STATES.includes(row.state)) return;
      let state = await this.chainState(orderId);
      if (state === ORDER_STATE.Leased) {
        await this.chain.chain.escrowTx.close(orderId);
        state = ORDER_STATE.Closed;
      } else if (state === ORDER_STATE.Locked) {
        await this.chain.chain.escrowTx.unlock(orderId);
        state = ORDER_STATE.Unlocked;
      }
      if (state === ORDER_STATE.None) {
        this.release(row);
        this.q.closed.run("released", null, stopMessage, this.now(), orderId);
        return;
      }
      const paid = state === ORDER_STATE.Closed ? (await this.chain.chain.escrow.read.orders([orderId]))[7] : 0n;
      this.q.closed.run(state === ORDER_STATE.Closed ? "closed" : "unlocked", amountToText(paid), stopMessage, this.now(), orderId);
    });
  }

  /** True once what the lease has left cannot pay another second (anyone may then close it). */
  async exhausted(orderId: Hash): Promise<boolean> {
    return this.chain.chain.escrow.read.exhausted([orderId]);
  }

  /** The latest order of a deployment as the team sees it; `nowMs` for "spent so far". */
  spendOf(marketDeploymentId: string, nowMs = this.now()): LeaseSpend | null {
    const row = this.q.ofDeployment.get(marketDeploymentId);
    return row ? spendOfRow(row, nowMs) : null;
  }

  /** Every order of a deployment summed: what it has cost in all. */
  totalSpentOf(marketDeploymentId: string, nowMs = this.now()): bigint {
    return this.ordersOf(marketDeploymentId).reduce((sum, r) => sum + spendOfRow(r, nowMs).spentWei, 0n);
  }

  private mustRow(orderId: Hash): LeaseEscrowRow {
    const row = this.row(orderId);
    if (!row) throw new Error(`No escrow order ${orderId}.`);
    return row;
  }

  private async chainState(orderId: Hash): Promise<number> {
    return (await this.chain.chain.escrow.read.orders([orderId]))[2];
  }

  /** Gives a reservation whose lock never happened back (held → available), once. */
  private release(row: LeaseEscrowRow): void {
    const team = { teamId: row.team_id };
    const amount = amountFromText(row.escrow_wei);
    this.deps.ledger.post({
      key: leaseReleaseKey(row.order_id),
      kind: "lease.release",
      teamId: row.team_id,
      memo: row.order_id,
      lines: [
        { account: accountId.held(team), amount: -amount },
        { account: accountId.available(team), amount },
      ],
    });
  }
}

/** Pure: a lease's spend from its row, as SponEscrow.accrued computes it (whole seconds, capped). */
export function spendOfRow(row: LeaseEscrowRow, nowMs: number): LeaseSpend {
  const escrowWei = amountFromText(row.escrow_wei);
  const rate = row.rate_per_second === null ? null : amountFromText(row.rate_per_second);
  let spentWei = 0n;
  if (row.paid_wei !== null) spentWei = amountFromText(row.paid_wei);
  else if (row.state === "leased" && rate !== null && row.started_at !== null) {
    const seconds = BigInt(Math.max(0, Math.floor(nowMs / 1000) - row.started_at));
    spentWei = rate * seconds < escrowWei ? rate * seconds : escrowWei;
  }
  const open = OPEN_STATES.includes(row.state);
  return { orderId: row.order_id, state: row.state, escrowWei, ratePerSecond: rate, spentWei, heldWei: open ? escrowWei - spentWei : 0n, stopMessage: row.stop_message };
}
