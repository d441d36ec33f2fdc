/**
 * The chain-billing adapter as the host starts it: on the embedded devnet (Get test SPON →
 * credited by the running watcher → usage debited, 402-able when short), and on an "external"
 * chain given by CHAIN_RPC_URL + addresses + operator key (here another anvil), with the
 * configuration errors naming the variable to fix.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { startChainBilling } from "#server/billing/chain-billing";
import { InsufficientFunds } from "#server/billing/ledger";
import { accountId } from "#server/billing/accounts";
import { availableWei, postUsage, sweepUsage } from "#server/billing/usage";
import { loadChainConfig } from "#server/chain/config";
import { ConfigError } from "#server/env";
import { startTestChain } from "../chain/support";

const dir = mkdtempSync(join(tmpdir(), "skyloom-chain-billing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // anvil's account 0

describe("chain configuration", () => {
  it("defaults to the embedded devnet and names the variable behind every mistake", () => {
    expect(loadChainConfig({})).toEqual({ kind: "devnet", confirmations: 2, pollMs: 250 });
    expect(loadChainConfig({ CHAIN_CONFIRMATIONS: "5" })).toMatchObject({ kind: "devnet", confirmations: 5 });
    expect(loadChainConfig({ CHAIN_POLL_MS: "40" })).toMatchObject({ kind: "devnet", pollMs: 40 });
    const fails = (env: Record<string, string>, variable: string) => {
      const error = (() => {
        try {
          loadChainConfig(env);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      return (error as Error).message;
    };
    fails({ CHAIN_RPC_URL: "http://127.0.0.1:8545" }, "SPON_TOKEN_ADDRESS");
    fails({ CHAIN_RPC_URL: "ftp://x" }, "CHAIN_RPC_URL");
    fails({ ESCROW_ADDRESS: "0x" + "1".repeat(40) }, "ESCROW_ADDRESS");
    fails({ CHAIN_CONFIRMATIONS: "0" }, "CHAIN_CONFIRMATIONS");
    fails({ CHAIN_POLL_MS: "5" }, "CHAIN_POLL_MS");
    const secret = fails(
      { CHAIN_RPC_URL: "http://127.0.0.1:8545", SPON_TOKEN_ADDRESS: "0x" + "1".repeat(40), ESCROW_ADDRESS: "0x" + "2".repeat(40), CHAIN_OPERATOR_KEY: "0xnot-a-key-secret" },
      "CHAIN_OPERATOR_KEY",
    );
    expect(secret).not.toContain("not-a-key-secret");
  });
});

describe("chain billing adapter", () => {
  it("on the devnet: Get test SPON is credited by the running watcher, usage is debited, and a shortfall is refused", async () => {
    const database = openDatabase(join(dir, "devnet.db"), migrationsFolder());
    const billing = await startChainBilling({ config: loadChainConfig({}), dataDir: join(dir, "data"), sqlite: database.sqlite });
    try {
      const instructions = billing.depositInstructions("team-1");
      expect(instructions).toMatchObject({ chainId: 31337, escrow: billing.chain.addresses.escrow });
      expect(instructions.depositRef).toMatch(/^0x[0-9a-f]{64}$/);
      expect(billing.depositInstructions("team-1").depositRef).toBe(instructions.depositRef);

      await expect(billing.getTestSpon("team-1", parseEther("10000.000000000000000001"))).rejects.toThrow(/1 wei to 10,000 SPON/);
      await expect(billing.getTestSpon("team-1", 0n)).rejects.toThrow(/1 wei to 10,000 SPON/);
      const txHash = await billing.getTestSpon("team-1", parseEther("50"));
      // The devnet mines a block a second and the deposit needs 2 confirmations.
      await expect.poll(() => billing.balances("team-1").available, { timeout: 15_000, interval: 50 }).toBe(parseEther("50"));
      expect(billing.balances("team-1").deposits).toEqual([expect.objectContaining({ txHash, status: "credited", amount: parseEther("50") })]);

      postUsage(billing.ledger, { key: "usage:run:1", teamId: "team-1", amountWei: parseEther("0.25") });
      postUsage(billing.ledger, { key: "usage:run:1", teamId: "team-1", amountWei: parseEther("0.25") }); // a retried settle
      expect(availableWei(billing.ledger, "team-1")).toBe(parseEther("49.75"));
      expect(() => postUsage(billing.ledger, { key: "usage:run:2", teamId: "team-1", amountWei: parseEther("50") })).toThrow(InsufficientFunds);
      expect(availableWei(billing.ledger, "team-1")).toBe(parseEther("49.75"));

      // Metered usage is charged on-chain in one batch; the confirmed Charged event makes it revenue.
      const team = { teamId: "team-1" };
      expect(await sweepUsage(billing.chain, billing.ledger, database.sqlite, "team-1")).toMatch(/^0x[0-9a-f]{64}$/);
      expect(billing.ledger.balanceOf(accountId.metered(team))).toBe(0n);
      expect(billing.ledger.balanceOf(accountId.charging(team))).toBe(parseEther("0.25"));
      expect(await sweepUsage(billing.chain, billing.ledger, database.sqlite, "team-1")).toBeNull(); // nothing charged twice
      await expect.poll(() => billing.ledger.balanceOf(accountId.platformRevenue()), { timeout: 15_000, interval: 50 }).toBe(parseEther("0.25"));
      expect(billing.ledger.balanceOf(accountId.charging(team))).toBe(0n);
      expect(await billing.chain.escrow.read.platformRevenue()).toBe(parseEther("0.25"));

      expect((await billing.reconcile()).differences).toEqual([]);
      expect(billing.health()).toMatchObject({ chainId: 31337, confirmations: 2, error: null });

      // A charge the escrow refuses (the ledger holds money the chain does not: forged here)
      // goes back to metered, and the error surfaces.
      const ghost = { teamId: "ghost" };
      billing.ledger.post({ key: "forged", kind: "deposit", lines: [{ account: accountId.available(ghost), amount: 10n }, { account: accountId.chainEscrow(), amount: -10n }] });
      postUsage(billing.ledger, { key: "usage:run:ghost", teamId: "ghost", amountWei: 5n });
      await expect(sweepUsage(billing.chain, billing.ledger, database.sqlite, "ghost")).rejects.toThrow(/InsufficientBalance/);
      expect([billing.ledger.balanceOf(accountId.metered(ghost)), billing.ledger.balanceOf(accountId.charging(ghost))]).toEqual([5n, 0n]);
    } finally {
      await billing.stop();
      database.close();
    }
  }, 60_000);

  it("on a configured chain: checks the chain id and that the escrow belongs to the token", async () => {
    const other = await startTestChain();
    const database = openDatabase(join(dir, "external.db"), migrationsFolder());
    const env = {
      CHAIN_RPC_URL: other.anvil.rpcUrl,
      SPON_TOKEN_ADDRESS: other.chain.addresses.token,
      ESCROW_ADDRESS: other.chain.addresses.escrow,
      CHAIN_OPERATOR_KEY: OPERATOR_KEY,
      CHAIN_CONFIRMATIONS: "1",
    };
    try {
      await expect(startChainBilling({ config: loadChainConfig({ ...env, CHAIN_ID: "8453" }), dataDir: dir, sqlite: database.sqlite })).rejects.toThrow(
        /CHAIN_ID is 8453 but .* is chain 31337/,
      );
      await expect(
        startChainBilling({ config: loadChainConfig({ ...env, ESCROW_ADDRESS: other.chain.addresses.token }), dataDir: dir, sqlite: database.sqlite }),
      ).rejects.toThrow(/is not a SponEscrow/);
      const billing = await startChainBilling({ config: loadChainConfig(env), dataDir: dir, sqlite: database.sqlite });
      try {
        await expect(billing.getTestSpon("t", 1n)).rejects.toThrow(/only on the embedded devnet/);
        const funder = other.chain.walletFor(other.chain.operator.account);
        await other.chain.tokenTx.mint(funder.account.address, 10n);
        await other.chain.tokenTx.approve(funder, other.chain.addresses.escrow, 10n);
        await other.chain.escrowTx.deposit(funder, billing.depositInstructions("t").depositRef, 10n);
        await expect.poll(() => billing.balances("t").available, { timeout: 15_000, interval: 50 }).toBe(10n);
      } finally {
        await billing.stop();
      }
    } finally {
      database.close();
      await other.stop();
    }
  }, 60_000);
});
