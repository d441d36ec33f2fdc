/**
 * Billing as one part of a running Skyloom (server/composition.ts): the ledger, the /v1 usage
 * meter, prices and limits always; the chain (deposits, test SPON, payouts, the watcher) when
 * billing is on. With billing off (SKYLOOM_BILLING=off, or tests that do not ask for it) nothing
 * is metered and agents answer without a balance; the billing pages still read the ledger.
 */
import type Database from "better-sqlite3";
import type { Hash } from "viem";
import type { BillingConfig } from "#server/env";
import { startChainBilling, type ChainBilling } from "./chain-billing";
import { accountId } from "./accounts";
import { sponToWei } from "./amounts";
import { depositRefFor, MAX_TEST_SPON } from "./deposits";
import { settleAccruedLeases, startEarningsSchedule, teamEarnings, type SettleResult } from "./earnings";
import { LeaseBilling } from "./lease-billing";
import { createLedger, type Ledger } from "./ledger";
import { UsageMeter } from "./metering";
import { priceTableFrom, type PriceTable } from "./prices";
import { WelcomeGrants } from "./welcome";

export type BillingHealth =
  | { status: "off" }
  | { status: "ok" | "behind" | "error"; chainId: number; devnet: boolean; processedBlock: number; headBlock: number; behindBlocks: number; error: string | null };

/** The watcher is called behind when it is this many blocks past its confirmations, or has an error. */
export const WATCHER_BEHIND_BLOCKS = 10;

export class BillingService {
  readonly ledger: Ledger;
  readonly meter: UsageMeter;
  readonly prices: PriceTable;
  readonly welcome: WelcomeGrants;
  /** Deployments and endpoints paid from escrow by the second (ADR 031); inert with billing off. */
  readonly leases: LeaseBilling;
  private stopSchedule: () => void = () => {};

  private constructor(
    readonly sqlite: Database.Database,
    readonly config: BillingConfig,
    /** Null when billing is off. */
    readonly chain: ChainBilling | null,
  ) {
    this.ledger = chain?.ledger ?? createLedger(sqlite);
    this.prices = priceTableFrom(config.tokenPrices);
    this.meter = new UsageMeter(sqlite, this.ledger, () => this.prices);
    this.welcome = new WelcomeGrants(sqlite, chain, chain?.kind === "devnet" ? sponToWei(config.welcomeTestSpon) : 0n);
    this.leases = new LeaseBilling({ sqlite, ledger: this.ledger, chain, depositRef: (teamId) => this.depositRef(teamId), serialize: (send) => this.welcome.serialized("", send) });
  }

  /** Starts the chain (and its watcher and the payout schedule) when billing is on. */
  static async start(options: { config: BillingConfig; dataDir: string; sqlite: Database.Database; enabled: boolean }): Promise<BillingService> {
    const on = options.enabled && options.config.enabled;
    const chain = on ? await startChainBilling({ config: options.config.chain, dataDir: options.dataDir, sqlite: options.sqlite }) : null;
    const service = new BillingService(options.sqlite, options.config, chain);
    if (chain) service.stopSchedule = startEarningsSchedule(() => service.settleEarnings(), options.config.settleEveryMs);
    return service;
  }

  /** Whether /v1 usage is metered and refused when a team cannot pay. */
  get enabled(): boolean {
    return this.chain !== null;
  }

  get devnet(): boolean {
    return this.chain?.kind === "devnet";
  }

  /** The chain or a clear refusal, for the calls that need it. */
  requireChain(what: string): ChainBilling {
    if (!this.chain) throw new BillingUnavailable(`${what} needs billing, which is off on this Skyloom (SKYLOOM_BILLING=off).`);
    return this.chain;
  }

  depositRef(teamId: string): Hash {
    return depositRefFor(this.sqlite, teamId);
  }

  balances(teamId: string) {
    const team = { teamId };
    return {
      available: this.ledger.balanceOf(accountId.available(team)),
      held: this.ledger.balanceOf(accountId.held(team)),
      metered: this.ledger.balanceOf(accountId.metered(team)) + this.ledger.balanceOf(accountId.charging(team)),
    };
  }

  /** Devnet only: mints test SPON to the team's devnet wallet and deposits it (capped at MAX_TEST_SPON). */
  async getTestSpon(teamId: string, amountWei: bigint): Promise<Hash> {
    const chain = this.requireChain("Test SPON");
    if (chain.kind !== "devnet") throw new BillingUnavailable("Test SPON exists only on the embedded devnet; this Skyloom bills on a real chain. Deposit SPON from a wallet instead.");
    if (amountWei <= 0n || amountWei > MAX_TEST_SPON) throw new RangeError("Ask for between 0.000000000000000001 and 10000 test SPON.");
    return this.welcome.serialized(teamId, () => chain.getTestSpon(teamId, amountWei));
  }

  /** Settles every lease with accrued earnings in one transaction (the schedule does this too). */
  settleEarnings(providers?: readonly string[]): Promise<SettleResult> {
    const chain = this.requireChain("Settling earnings");
    return this.welcome.serialized("", () => settleAccruedLeases(chain, providers));
  }

  earnings(teamId: string) {
    return teamEarnings(this.sqlite, this.ledger, this.chain?.chain ?? null, teamId);
  }

  health(): BillingHealth {
    if (!this.chain) return { status: "off" };
    const h = this.chain.health();
    const status = h.error ? "error" : h.behindBlocks > WATCHER_BEHIND_BLOCKS ? "behind" : "ok";
    return { status, chainId: h.chainId, devnet: this.devnet, processedBlock: h.processedBlock, headBlock: h.headBlock, behindBlocks: h.behindBlocks, error: h.error };
  }

  async stop(): Promise<void> {
    this.stopSchedule();
    await this.welcome.settle();
    await this.chain?.stop();
  }
}

/** A billing call that cannot work on this host (billing off, or not a devnet): PRECONDITION_FAILED. */
export class BillingUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BillingUnavailable";
  }
}
