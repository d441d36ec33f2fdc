/**
 * Deposits through the real escrow on anvil, seen by the watcher: pending while confirmations
 * count, credited once, restart-safe, and a reorg inside the confirmations window (anvil's
 * snapshot/revert) never credited; a deeper one stops the watcher instead of guessing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { openDatabase, type DatabaseHandle } from "#db/client";
import { migrationsFolder } from "#db/root";
import { accountId } from "#server/billing/accounts";
import { ChainReorgTooDeep, createChainWatcher } from "#server/billing/chain-watcher";
import { depositRefFor, getTestSpon, teamBilling, teamDevnetWallet } from "#server/billing/deposits";
import { createLedger } from "#server/billing/ledger";
import { reconcile } from "#server/billing/reconcile";
import { postUsage } from "#server/billing/usage";
import { devnetAccount } from "#server/chain/devnet";
import { id32, startTestChain, type TestChain } from "../chain/support";

let t: TestChain;
let dir: string;
let database: DatabaseHandle;

beforeAll(async () => {
  t = await startTestChain();
  dir = mkdtempSync(join(tmpdir(), "skyloom-watcher-"));
  database = openDatabase(join(dir, "db.sqlite"), migrationsFolder());
});
afterAll(async () => {
  database?.close();
  rmSync(dir, { recursive: true, force: true });
  await t?.stop();
});

const CONFIRMATIONS = 3;
const watcherOn = (db: DatabaseHandle) =>
  createChainWatcher({
    sqlite: db.sqlite,
    ledger: createLedger(db.sqlite),
    client: t.chain.public,
    chainId: t.chain.chain.id,
    escrow: t.chain.addresses.escrow,
    confirmations: CONFIRMATIONS,
  });

describe("chain watcher", () => {
  it("Get test SPON: the deposit shows pending with its confirmations, then is credited exactly once", async () => {
    const ledger = createLedger(database.sqlite);
    const watcher = watcherOn(database);
    const txHash = await getTestSpon(t.chain, database.sqlite, "alpha", parseEther("100"));
    await watcher.pollOnce();
    let billing = teamBilling(database.sqlite, ledger, "alpha", 31337);
    expect(billing.deposits).toEqual([expect.objectContaining({ txHash, status: "pending", confirmations: 1, amount: parseEther("100") })]);
    expect(billing.available).toBe(0n);

    await t.test.mine({ blocks: 1 });
    await watcher.pollOnce();
    expect(teamBilling(database.sqlite, ledger, "alpha", 31337).deposits[0]).toMatchObject({ status: "pending", confirmations: 2 });

    await t.test.mine({ blocks: 1 });
    const result = await watcher.pollOnce();
    expect(result.posted).toBe(1);
    billing = teamBilling(database.sqlite, ledger, "alpha", 31337);
    expect(billing.deposits).toEqual([expect.objectContaining({ txHash, status: "credited", confirmations: 3 })]);
    expect(billing.available).toBe(parseEther("100"));

    // Polling again, and a second watcher (a restarted host) from the stored cursor: no second credit.
    await watcher.pollOnce();
    await t.test.mine({ blocks: 2 });
    await watcherOn(database).pollOnce();
    expect(teamBilling(database.sqlite, ledger, "alpha", 31337).available).toBe(parseEther("100"));
    expect((await reconcile(t.chain, database.sqlite, ledger)).differences).toEqual([]);
  });

  it("a reorg inside the confirmations window drops the pending deposit and never credits it", async () => {
    const ledger = createLedger(database.sqlite);
    const watcher = watcherOn(database);
    // Mint and approve first, confirmed; then the deposit alone is inside the window.
    const wallet = t.chain.walletFor(teamDevnetWallet("beta"));
    await t.chain.operator.sendTransaction({ to: wallet.account.address, value: parseEther("1") });
    await t.chain.tokenTx.mint(wallet.account.address, parseEther("5"));
    await t.chain.tokenTx.approve(wallet, t.chain.addresses.escrow, parseEther("5"));
    await t.test.mine({ blocks: CONFIRMATIONS });
    await watcher.pollOnce();
    const snapshot = await t.test.snapshot();
    await t.chain.escrowTx.deposit(wallet, depositRefFor(database.sqlite, "beta"), parseEther("5"));
    await t.test.mine({ blocks: CONFIRMATIONS - 2 });
    await watcher.pollOnce();
    expect(teamBilling(database.sqlite, ledger, "beta", 31337).deposits).toEqual([expect.objectContaining({ status: "pending", confirmations: CONFIRMATIONS - 1 })]);

    await t.test.revert({ id: snapshot });
    await t.test.mine({ blocks: CONFIRMATIONS + 2 }); // the chain moves on without the deposit
    await watcher.pollOnce();
    const billing = teamBilling(database.sqlite, ledger, "beta", 31337);
    expect(billing.deposits).toEqual([]);
    expect(billing.available).toBe(0n);
    expect((await reconcile(t.chain, database.sqlite, ledger)).differences).toEqual([]);
  });

  it("a reorg deeper than the window stops the watcher with ChainReorgTooDeep instead of guessing", async () => {
    const other = openDatabase(join(dir, "deep.sqlite"), migrationsFolder());
    try {
      const watcher = watcherOn(other);
      const snapshot = await t.test.snapshot();
      depositRefFor(other.sqlite, "gamma");
      await t.test.mine({ blocks: CONFIRMATIONS + 1 });
      await watcher.pollOnce();
      await t.test.revert({ id: snapshot });
      await t.test.mine({ blocks: CONFIRMATIONS + 3 }); // same heights, different blocks
      await expect(watcher.pollOnce()).rejects.toBeInstanceOf(ChainReorgTooDeep);
    } finally {
      other.close();
    }
  });

  /**
   * Issue 13, kill -9 test SEED=1137414930: the operator locked what the ledger showed
   * available, and a /v1 run settled before the lock was confirmed, moving part of that money
   * available → metered (the chain still counts it as unlocked until a charge). The lock's
   * posting then found too little in available and stopped the watcher with InsufficientFunds.
   */
  it("a lock or withdrawal confirmed after usage was metered takes the rest from metered, once", async () => {
    // Its own database, so a watcher stuck here leaves the other tests alone.
    const other = openDatabase(join(dir, "metered.sqlite"), migrationsFolder());
    try {
      const ledger = createLedger(other.sqlite);
      const watcher = watcherOn(other);
      const team = { teamId: "epsilon" };
      const balances = () => ({
        available: ledger.balanceOf(accountId.available(team)),
        metered: ledger.balanceOf(accountId.metered(team)),
        held: ledger.balanceOf(accountId.held(team)),
      });
      const confirmAll = async () => {
        await t.test.mine({ blocks: CONFIRMATIONS });
        await watcher.pollOnce();
      };
      await getTestSpon(t.chain, other.sqlite, "epsilon", parseEther("10"));
      await confirmAll();
      expect(balances()).toEqual({ available: parseEther("10"), metered: 0n, held: 0n });
      const cursorBeforeLock = other.sqlite.prepare<[], { last_block: number; last_block_hash: string }>("SELECT last_block, last_block_hash FROM chain_cursors").get()!;

      // The lock is mined; a run's usage is metered before the lock has its confirmations.
      const ref = depositRefFor(other.sqlite, "epsilon");
      await t.chain.escrowTx.lock(id32("epsilon-order"), ref, parseEther("8"));
      postUsage(ledger, { key: "usage:epsilon-run", teamId: "epsilon", amountWei: parseEther("3") });
      await confirmAll();
      expect(balances()).toEqual({ available: 0n, metered: parseEther("2"), held: parseEther("8") });

      // Nothing left in available: a withdrawal of what the chain counts as unlocked comes from metered.
      await t.chain.escrowTx.withdraw(ref, devnetAccount(1).address, parseEther("1.5"));
      await confirmAll();
      expect(balances()).toEqual({ available: 0n, metered: parseEther("0.5"), held: parseEther("8") });
      expect((await reconcile(t.chain, other.sqlite, ledger)).differences).toEqual([]);

      // Delivered again from a rewound cursor (the balances have moved on): the entries stay as they were.
      const entries = () => other.sqlite.prepare("SELECT count(*) AS n FROM ledger_entries").get();
      const before = entries();
      other.sqlite.prepare("UPDATE chain_cursors SET last_block = ?, last_block_hash = ?").run(cursorBeforeLock.last_block, cursorBeforeLock.last_block_hash);
      await confirmAll();
      expect(entries()).toEqual(before);
      expect(balances()).toEqual({ available: 0n, metered: parseEther("0.5"), held: parseEther("8") });
      expect(ledger.audit()).toEqual([]);
      expect((await reconcile(t.chain, other.sqlite, ledger)).differences).toEqual([]);
    } finally {
      other.close();
    }
  });

  it("the running watcher credits on its own and reports how far behind it is", async () => {
    const ledger = createLedger(database.sqlite);
    const watcher = watcherOn(database);
    watcher.start(20);
    try {
      await getTestSpon(t.chain, database.sqlite, "delta", 7n);
      await t.test.mine({ blocks: CONFIRMATIONS });
      await expect.poll(() => ledger.balanceOf("team:delta:available"), { timeout: 10_000 }).toBe(7n);
      await expect.poll(() => watcher.status().behindBlocks, { timeout: 10_000 }).toBe(0);
      expect(watcher.status().error).toBeNull();
    } finally {
      await watcher.stop();
    }
  });
});
