/**
 * Provider payouts (ADR 030): a lease streams its escrow to the provider by the second, but the
 * escrow moves it to the provider's earnings only when the lease is settled. Settling is done
 * in batches — every lease with something due, in one `settleMany` transaction — on a schedule
 * (CHAIN_SETTLE_EVERY_MINUTES) and on demand (billing.settleEarnings). The watcher then posts
 * each LeaseSettled event (held → provider earnings), so the ledger follows the chain.
 */
import type Database from "better-sqlite3";
import type { Address, Hash } from "viem";
import { sponEscrowAbi } from "#server/chain/generated/contracts";
import type { ChainClients } from "#server/chain/client";
import { accountId } from "./accounts";
import { amountFromText } from "./amounts";
import type { ChainBilling } from "./chain-billing";
import type { Ledger } from "./ledger";

/** SponEscrow.OrderState.Leased */
const LEASED = 2;

export type LeaseDue = { orderId: Hash; provider: Address; dueWei: bigint };
export type SettleResult = { txHash: Hash | null; leases: number; amountWei: bigint };

/** Every running lease (optionally only those paying `providers`) with what it owes its provider now. */
export async function leasesWithEarningsDue(chain: ChainClients, providers?: readonly string[]): Promise<LeaseDue[]> {
  if (providers && providers.length === 0) return [];
  const started = await chain.public.getContractEvents({
    address: chain.addresses.escrow,
    abi: sponEscrowAbi,
    eventName: "LeaseStarted",
    args: providers ? { provider: providers as Address[] } : undefined,
    fromBlock: 0n,
    strict: true,
  });
  const orderIds = [...new Set(started.map((log) => log.args.orderId))];
  const due: LeaseDue[] = [];
  for (const orderId of orderIds) {
    const [order, accrued] = await Promise.all([chain.escrow.read.orders([orderId]), chain.escrow.read.accrued([orderId])]);
    const [, provider, state, , , , , paid] = order;
    if (state === LEASED && accrued > paid) due.push({ orderId, provider, dueWei: accrued - paid });
  }
  return due;
}

/** One `settleMany` for every lease with something due; nothing is sent when none has. */
export async function settleAccruedLeases(billing: ChainBilling, providers?: readonly string[]): Promise<SettleResult> {
  const due = await leasesWithEarningsDue(billing.chain, providers);
  if (due.length === 0) return { txHash: null, leases: 0, amountWei: 0n };
  const receipt = await billing.chain.escrowTx.settleMany(due.map((d) => d.orderId));
  return { txHash: receipt.transactionHash, leases: due.length, amountWei: due.reduce((sum, d) => sum + d.dueWei, 0n) };
}

/** Settles on a timer until the returned function is called. A failed batch is logged and tried again next time. */
export function startEarningsSchedule(send: () => Promise<SettleResult>, everyMs: number): () => void {
  const timer = setInterval(() => {
    send().catch((error: unknown) => console.warn("Scheduled settlement of provider earnings failed (next try at the next interval):", error));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export type ProviderEarnings = { address: string; label: string; nodeId: string | null; earnedWei: bigint; paidWei: bigint; pendingWei: bigint };

/** A team's provider addresses: earned (settled to them in total), paid (withdrawn), pending (accrued on running leases, not settled yet). */
export async function teamEarnings(sqlite: Database.Database, ledger: Ledger, chain: ChainClients | null, teamId: string): Promise<ProviderEarnings[]> {
  const providers = sqlite
    .prepare<[string], { address: string; label: string; node_id: string | null }>("SELECT address, label, node_id FROM billing_providers WHERE team_id = ? ORDER BY created_at")
    .all(teamId);
  const withdrawn = sqlite.prepare<[string], { amount: string }>("SELECT amount FROM ledger_lines WHERE account_id = ? AND amount LIKE '-%'");
  const due = chain ? await leasesWithEarningsDue(chain, providers.map((p) => p.address)) : [];
  return providers.map((p) => {
    const account = accountId.providerEarnings(p.address);
    const paidWei = -withdrawn.all(account).reduce((sum, r) => sum + amountFromText(r.amount), 0n);
    const pendingWei = due.filter((d) => d.provider.toLowerCase() === p.address).reduce((sum, d) => sum + d.dueWei, 0n);
    return { address: p.address, label: p.label, nodeId: p.node_id, earnedWei: ledger.balanceOf(account) + paidWei, paidWei, pendingWei };
  });
}

/** Names the team that runs a node paid at `address` (the marketplace calls this when a node of a team joins). */
export function linkProvider(sqlite: Database.Database, link: { teamId: string; address: string; label: string; nodeId?: string | null }): void {
  sqlite
    .prepare(
      `INSERT INTO billing_providers (address, team_id, label, node_id, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(address) DO UPDATE SET team_id = excluded.team_id, label = excluded.label, node_id = excluded.node_id`,
    )
    .run(link.address.toLowerCase(), link.teamId, link.label, link.nodeId ?? null, Date.now());
}
