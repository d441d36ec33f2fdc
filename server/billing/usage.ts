/**
 * Metered usage (API tokens) against a team's balance: what the gateway's next slice calls.
 * `postUsage` inside the run's own transaction (the settle step) moves the cost from the team's
 * available balance to its metered account; InsufficientFunds means answer 402
 * `insufficient_quota`. The metered amount is charged on-chain later in batches (escrow
 * `charge`), whose Charged events move it to platform revenue.
 */
import { accountId } from "./accounts";
import type { Ledger, PostResult } from "./ledger";

export type UsageCharge = {
  /** Unique per billed thing, e.g. `usage:run:<runId>`: a retried settle posts once. */
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
