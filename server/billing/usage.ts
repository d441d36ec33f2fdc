/**
 * Metered usage (API tokens) against a team's balance: what the gateway's next slice calls.
 * `postUsage` inside the run's own transaction (the settle step) moves the cost from the team's
 * available balance to its metered account; InsufficientFunds means answer 402
 * `insufficient_quota`. The metered amount is charged on-chain later in batches (escrow
 * `charge`), whose Charged events move it to platform revenue.
 */
import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import { ContractFunctionExecutionError, type Hash } from "viem";
import { ChainError, type ChainClients } from "#server/chain/client";
import { accountId } from "./accounts";
import { depositRefFor } from "./deposits";
import type { Ledger, PostResult } from "./ledger";

export type UsageCharge = {
  /** Unique per billed thing, e.g. metering.ts `usageKey` of a run: a retried settle posts once. */
  key: string;
  teamId: string;
  amountWei: bigint;
  memo?: string;
  at?: number;
};

/** Debits usage from the team's available balance; throws InsufficientFunds (nothing written) when it cannot cover it. */
export function postUsage(ledger: Ledger, usage: UsageCharge): PostResult | null {
  if (usage.amountWei < 0n) throw new RangeError("usage cannot be negative");
  if (usage.amountWei === 0n) return null;
  const team = { teamId: usage.teamId };
  return ledger.post({
    key: usage.key,
    kind: "usage",
    teamId: usage.teamId,
    memo: usage.memo ?? null,
    at: usage.at,
    lines: [
      { account: accountId.available(team), amount: -usage.amountWei },
      { account: accountId.metered(team), amount: usage.amountWei },
    ],
  });
}

/** What the team can spend now, in wei (the check before a /v1 call starts). */
export const availableWei = (ledger: Ledger, teamId: string): bigint => ledger.balanceOf(accountId.available({ teamId }));

/**
 * Charges a team's metered usage on-chain in one `charge` transaction. The amount moves from
 * metered to charging *before* the transaction is sent (key `sweep:<ref>`), so a sweep that runs
 * again while it is in flight finds nothing to charge twice; the Charged event, once confirmed,
 * moves it from charging to platform revenue. A charge the chain refuses moves it back; one whose
 * outcome is unknown stays in charging (reconciliation still balances: charging counts as unlocked).
 * Returns the batch reference, or null when nothing was metered.
 */
export async function sweepUsage(chain: ChainClients, ledger: Ledger, sqlite: Database.Database, teamId: string): Promise<Hash | null> {
  const team = { teamId };
  const amount = ledger.balanceOf(accountId.metered(team));
  if (amount === 0n) return null;
  const batchRef = `0x${randomBytes(32).toString("hex")}` as Hash;
  const depositRef = depositRefFor(sqlite, teamId);
  const move = (key: string, from: string, to: string, moved: bigint) =>
    ledger.post({ key, kind: "usage.sweep", teamId, memo: batchRef, lines: [{ account: from, amount: -moved }, { account: to, amount: moved }] });
  move(`sweep:${batchRef}`, accountId.metered(team), accountId.charging(team), amount);
  try {
    await chain.escrowTx.charge(depositRef, batchRef, amount);
  } catch (error) {
    // Refused by the simulation (never sent) or reverted on-chain: no Charged event will come.
    // Any other failure (a timeout waiting for the receipt) may still land: it stays in charging.
    // A lock or withdrawal confirmed meanwhile may have taken part of charging (chain-postings.ts
    // takeFromUnlocked): what is left of it goes back.
    if (error instanceof ContractFunctionExecutionError || error instanceof ChainError) {
      const charging = ledger.balanceOf(accountId.charging(team));
      const back = charging < amount ? charging : amount;
      if (back > 0n) move(`sweep:${batchRef}:refused`, accountId.charging(team), accountId.metered(team), back);
    }
    throw error;
  }
  return batchRef;
}
