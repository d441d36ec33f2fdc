/**
 * The billing router's answers, shaped as docs/billing-api.md documents them: amounts as
 * { wei, spon } strings, the team always the caller's.
 */
import { accountId } from "./accounts";
import { amountFromText, SPON_DECIMALS } from "./amounts";
import { providerAddressFor } from "./lease-billing";
import { monthStart } from "./metering";
import { money } from "./money";
import type { BillingService } from "./service";

export function billingSummary(billing: BillingService, teamId: string) {
  // Opening Billing on the devnet sends a new team its welcome test SPON (once).
  void billing.welcome.ensure(teamId);
  const { available, held, metered } = billing.balances(teamId);
  const health = billing.health();
  return {
    enabled: billing.enabled,
    available: money(available),
    held: money(held),
    metered: money(metered),
    spentThisMonth: money(billing.meter.spentThisMonth(teamId) + leaseSpendSince(billing, teamId, Date.parse(`${monthStart(Date.now())}T00:00:00Z`))),
    currency: "SPON" as const,
    decimals: SPON_DECIMALS,
    chain:
      health.status === "off"
        ? null
        : { chainId: health.chainId, devnet: health.devnet, watcherBehindBlocks: health.behindBlocks, confirmations: billing.chain!.health().confirmations, status: health.status },
  };
}

/** What the team's leases paid providers since `from` (ms). */
function leaseSpendSince(billing: BillingService, teamId: string, from: number): bigint {
  return billing.sqlite
    .prepare<[string, number], { amount: string }>(
      "SELECT l.amount FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id WHERE l.account_id = ? AND e.kind = 'lease.settle' AND e.at >= ?",
    )
    .all(accountId.held({ teamId }), from)
    .reduce((sum, r) => sum - amountFromText(r.amount), 0n);
}

export function depositInstructions(billing: BillingService, teamId: string) {
  const chain = billing.requireChain("Deposits");
  const { chainId, token, escrow, depositRef } = chain.depositInstructions(teamId);
  const devnet = chain.kind === "devnet";
  return {
    chainId,
    rpcUrl: devnet ? chain.chain.chain.rpcUrls.default.http[0]! : null,
    tokenAddress: token,
    escrowAddress: escrow,
    depositRef,
    confirmations: chain.health().confirmations,
    steps: [
      `Connect a wallet to chain ${chainId}${devnet ? " (the embedded devnet; add it to your wallet with the RPC URL above)" : ""}.`,
      `Approve the escrow ${escrow} to spend your SPON: call approve(${escrow}, amount) on the SPON token ${token}.`,
      `Deposit: call deposit(${depositRef}, amount) on the escrow ${escrow}. The reference is your team's: anyone may pay into it.`,
      `The deposit shows as pending, then credited after ${chain.health().confirmations} confirmations.`,
    ],
  };
}

export function depositsOf(billing: BillingService, teamId: string, limit: number) {
  if (!billing.chain) return [];
  const required = billing.chain.health().confirmations;
  const chainId = billing.chain.chain.chain.id;
  const head =
    billing.sqlite.prepare<[string], { head_block: number }>("SELECT head_block FROM chain_cursors WHERE id = ?").get(`${chainId}:${billing.chain.chain.addresses.escrow.toLowerCase()}`)?.head_block ?? 0;
  return billing.sqlite
    .prepare<[string, number, number], { tx_hash: string; amount: string; status: "pending" | "credited"; block_number: number; seen_at: number; credited_at: number | null }>(
      "SELECT tx_hash, amount, status, block_number, seen_at, credited_at FROM chain_deposits WHERE team_id = ? AND chain_id = ? ORDER BY block_number DESC, log_index DESC LIMIT ?",
    )
    .all(teamId, chainId, limit)
    .map((r) => ({
      txHash: r.tx_hash,
      amount: money(amountFromText(r.amount)),
      status: r.status,
      confirmations: Math.max(0, head - r.block_number + 1),
      required,
      blockNumber: r.block_number,
      at: new Date(r.credited_at ?? r.seen_at).toISOString(),
    }));
}

export function priceList(billing: BillingService) {
  const { byModel, fallback } = billing.prices;
  const row = (model: string, p: { inputWeiPer1k: bigint; outputWeiPer1k: bigint }) => ({ model, inputPer1k: money(p.inputWeiPer1k), outputPer1k: money(p.outputWeiPer1k) });
  return {
    currency: "SPON" as const,
    unit: "per 1K tokens" as const,
    metered: billing.enabled,
    models: [...byModel].map(([model, p]) => row(model, p)),
    otherModels: row("*", fallback),
    note: "A request is priced at the dearest chat model its agent uses; deployed endpoints are paid by lease time instead.",
  };
}

export async function earningsSummary(billing: BillingService, teamId: string) {
  const providers = await billing.earnings(teamId);
  const total = (pick: (p: (typeof providers)[number]) => bigint) => money(providers.reduce((sum, p) => sum + pick(p), 0n));
  return {
    earned: total((p) => p.earnedWei),
    paid: total((p) => p.paidWei),
    pending: total((p) => p.pendingWei),
    providers: providers.map((p) => ({
      address: p.address,
      label: p.label,
      nodeId: p.nodeId,
      // The node named no --payout-address: the host pays an address it derives from the node id.
      derivedAddress: p.nodeId !== null && p.address === providerAddressFor(p.nodeId).toLowerCase(),
      earned: money(p.earnedWei),
      paid: money(p.paidWei),
      pending: money(p.pendingWei),
    })),
  };
}
