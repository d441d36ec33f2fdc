/**
 * The devnet's welcome grant: each team gets test SPON once, deposited through the escrow like
 * "Get test SPON", so a new team's agents answer on /v1 without a trip to the Billing page
 * (ADR 030). Never on a real chain (the amount is 0 there).
 *
 * Chain writes from this host go one at a time: the operator's nonce is shared by every mint,
 * and two sends at once could pick the same one.
 */
import type Database from "better-sqlite3";
import type { Hash } from "viem";
import type { ChainBilling } from "./chain-billing";
import { depositRefFor } from "./deposits";

export class WelcomeGrants {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Map<string, Promise<Hash | null>>();
  private readonly claim;
  private readonly depositStatus;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly chain: ChainBilling | null,
    private readonly amountWei: bigint,
  ) {
    this.claim = sqlite.prepare<[number, string]>("UPDATE billing_accounts SET welcome_grant_at = ? WHERE team_id = ? AND welcome_grant_at IS NULL");
    this.depositStatus = sqlite.prepare<[string], { status: string }>("SELECT status FROM chain_deposits WHERE tx_hash = ?");
  }

  /** Runs `send` after every chain write this host started before it. */
  serialized<T>(_teamId: string, send: () => Promise<T>): Promise<T> {
    const next = this.queue.then(send, send);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Sends the team's welcome grant if it never had one; resolves with its deposit (null: none due). */
  ensure(teamId: string): Promise<Hash | null> {
    const known = this.inFlight.get(teamId);
    if (known) return known;
    const chain = this.chain;
    if (!chain || this.amountWei === 0n) return Promise.resolve(null);
    depositRefFor(this.sqlite, teamId);
    if (this.claim.run(Date.now(), teamId).changes === 0) return Promise.resolve(null);
    const grant = this.serialized(teamId, () => chain.getTestSpon(teamId, this.amountWei)).catch((error: unknown) => {
      console.warn(`The welcome grant of team ${teamId} failed (it can press Get test SPON):`, error);
      return null;
    });
    this.inFlight.set(teamId, grant);
    return grant;
  }

  /** Waits until the team's welcome grant (started now if due) is credited; false when there is none or it takes longer than `timeoutMs`. */
  async credited(teamId: string, timeoutMs = 30_000): Promise<boolean> {
    const txHash = await this.ensure(teamId);
    if (!txHash) return false;
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.depositStatus.get(txHash.toLowerCase())?.status === "credited") return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  /** Waits for the chain writes in flight (the host is stopping). */
  async settle(): Promise<void> {
    await this.queue;
  }
}
