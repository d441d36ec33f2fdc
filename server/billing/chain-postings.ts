/**
 * What each escrow event means for the ledger: a pure function from a decoded log to the
 * posting that mirrors it. The chain is the source of truth for money in the escrow, so every
 * on-chain movement becomes exactly one entry, keyed by where it happened (chain, transaction,
 * log index): delivering an event twice posts it once.
 */
import type { Hash } from "viem";
import { accountId, type Holder } from "./accounts";
import type { Posting } from "./ledger";

/** The escrow events, as viem decodes them (see server/chain/contracts/SponEscrow.sol). */
export type EscrowEvent =
  | { eventName: "Deposited"; args: { account: Hash; from: string; amount: bigint } }
  | { eventName: "Withdrawn"; args: { account: Hash; to: string; amount: bigint } }
  | { eventName: "Charged"; args: { account: Hash; ref: Hash; amount: bigint } }
  | { eventName: "RevenueWithdrawn"; args: { to: string; amount: bigint } }
  | { eventName: "OrderLocked"; args: { orderId: Hash; account: Hash; amount: bigint } }
  | { eventName: "OrderUnlocked"; args: { orderId: Hash; account: Hash; amount: bigint } }
  | { eventName: "LeaseStarted"; args: { orderId: Hash; account: Hash; provider: string; ratePerSecond: bigint; startedAt: bigint } }
  | { eventName: "LeaseSettled"; args: { orderId: Hash; account: Hash; provider: string; amount: bigint } }
  | { eventName: "LeaseClosed"; args: { orderId: Hash; account: Hash; closedBy: string; settled: bigint; refunded: bigint } }
  | { eventName: "EarningsWithdrawn"; args: { provider: string; to: string; amount: bigint } };

export type EscrowLog = EscrowEvent & { transactionHash: Hash; logIndex: number; blockNumber: bigint };

export const chainPostingKey = (chainId: number, log: Pick<EscrowLog, "transactionHash" | "logIndex">): string =>
  `chain:${chainId}:${log.transactionHash.toLowerCase()}:${log.logIndex}`;

/** `from` pays `amount` to `to`, as a two-line posting. */
function transfer(from: string, to: string, amount: bigint) {
  return [
    { account: from, amount: -amount },
    { account: to, amount },
  ];
}

/** The ledger key under which the host reserves an order's escrow before it locks it (ADR 031). */
export const leaseReserveKey = (orderId: Hash | string): string => `lease:reserve:${orderId.toLowerCase()}`;
/** The key that gives a reservation back when its lock never happened. */
export const leaseReleaseKey = (orderId: Hash | string): string => `lease:release:${orderId.toLowerCase()}`;

/** The ledger's side that an escrow log's posting depends on (the watcher reads it in the batch's transaction). */
export type LedgerState = {
  /** The team a deposit reference belongs to, or the bare reference. */
  holderFor: (depositRef: Hash) => Holder;
  /** Whether an order's escrow is already held by a live `lease:reserve:` entry. */
  reservedInLedger?: (orderId: Hash) => boolean;
  /** An account's balance now. Without it, takes from unlocked money come from the first account alone. */
  balanceOf?: (accountId: string) => bigint;
};

/**
 * The chain took `amount` from a holder's unlocked balance, which the ledger splits into
 * available, metered and charging. The ledger can be ahead of the chain there: a /v1 run settled
 * between a chain transaction and its confirmation has moved money the chain still counts as
 * unlocked from available to metered (it is charged on chain later, in batches). The chain's
 * event is the truth and must always post, so it takes from `accounts` in turn, as much as each
 * holds; any rest stays on the first (a refusal then names the account that should have had it).
 * Their sum equals the chain's unlocked balance, so reconciliation stays exact.
 */
function takeFromUnlocked(accounts: string[], to: string, amount: bigint, balanceOf: (accountId: string) => bigint) {
  const taken = new Map<string, bigint>();
  let rest = amount;
  for (const account of accounts) {
    const balance = balanceOf(account);
    const part = balance < rest ? balance : rest;
    if (part <= 0n) continue;
    taken.set(account, part);
    rest -= part;
  }
  if (rest > 0n) taken.set(accounts[0]!, (taken.get(accounts[0]!) ?? 0n) + rest);
  return [...[...taken].map(([account, part]) => ({ account, amount: -part })), { account: to, amount }];
}

/**
 * The posting for one escrow log, or null when the event moves no money (LeaseStarted, amounts
 * of zero, and the lock of an order the host reserved in the ledger before sending it). Lease
 * events carry their order id as the memo (statements and usage name the endpoint it paid for);
 * the rest carry the transaction hash. A posting that takes unlocked money depends on balances:
 * post it once, and on a replay use the entry already under its key (the watcher does).
 */
export function postingForEscrowLog(chainId: number, log: EscrowLog, state: LedgerState): Posting | null {
  const { holderFor, reservedInLedger = () => false, balanceOf = () => 0n } = state;
  const key = chainPostingKey(chainId, log);
  const team = (h: Holder) => ("teamId" in h ? h.teamId : null);
  const memo = "orderId" in log.args ? log.args.orderId.toLowerCase() : log.transactionHash;
  const entry = (kind: string, holder: Holder | null, lines: { account: string; amount: bigint }[], amount: bigint): Posting | null =>
    amount === 0n ? null : { key, kind, teamId: holder ? team(holder) : null, memo, lines };
  const escrow = accountId.chainEscrow();

  switch (log.eventName) {
    case "Deposited": {
      const h = holderFor(log.args.account);
      return entry("deposit", h, transfer(escrow, accountId.available(h), log.args.amount), log.args.amount);
    }
    case "Withdrawn": {
      const h = holderFor(log.args.account);
      const from = [accountId.available(h), accountId.metered(h), accountId.charging(h)];
      return entry("withdrawal", h, takeFromUnlocked(from, escrow, log.args.amount, balanceOf), log.args.amount);
    }
    case "Charged": {
      const h = holderFor(log.args.account);
      // Swept to charging before it was sent; charging first, then what else the chain counts as unlocked.
      const from = [accountId.charging(h), accountId.metered(h), accountId.available(h)];
      return entry("usage.charge", h, takeFromUnlocked(from, accountId.platformRevenue(), log.args.amount, balanceOf), log.args.amount);
    }
    case "RevenueWithdrawn":
      return entry("revenue.withdrawal", null, transfer(accountId.platformRevenue(), escrow, log.args.amount), log.args.amount);
    case "OrderLocked": {
      // Reserved (available → held) before the lock was sent: the chain now agrees, nothing moves.
      if (reservedInLedger(log.args.orderId)) return null;
      const h = holderFor(log.args.account);
      const from = [accountId.available(h), accountId.metered(h), accountId.charging(h)];
      return entry("order.lock", h, takeFromUnlocked(from, accountId.held(h), log.args.amount, balanceOf), log.args.amount);
    }
    case "OrderUnlocked": {
      const h = holderFor(log.args.account);
      return entry("order.unlock", h, transfer(accountId.held(h), accountId.available(h), log.args.amount), log.args.amount);
    }
    case "LeaseStarted":
      return null;
    case "LeaseSettled": {
      const h = holderFor(log.args.account);
      return entry("lease.settle", h, transfer(accountId.held(h), accountId.providerEarnings(log.args.provider), log.args.amount), log.args.amount);
    }
    case "LeaseClosed": {
      // What the close paid the provider has its own LeaseSettled log; this is the refund.
      const h = holderFor(log.args.account);
      return entry("lease.refund", h, transfer(accountId.held(h), accountId.available(h), log.args.refunded), log.args.refunded);
    }
    case "EarningsWithdrawn":
      return entry("earnings.withdrawal", null, transfer(accountId.providerEarnings(log.args.provider), escrow, log.args.amount), log.args.amount);
  }
}
