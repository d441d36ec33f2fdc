/**
 * Money path speed (issue 13):
 * - deposit → credited on the devnet: a real anvil, the escrow, and the chain watcher polling
 *   every WATCH_INTERVAL_MS with CONFIRMATIONS confirmations. Measured from the moment the block
 *   carrying the last needed confirmation is mined to the moment the team's ledger balance shows
 *   the deposit. Goal: ≤ 1 s (median).
 * - ledger postings per second: two-line usage postings on a file database in WAL mode, 1,000
 *   per transaction, each in its own savepoint (as usage rides in the runs' group commits, ADR
 *   005) — goal ≥ 10,000/s — and each in its own transaction (the worst case), beside the bare
 *   commit rate of the machine at that moment, for scale (the machine is shared).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maxUint256, parseEther } from "viem";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { accountId } from "#server/billing/accounts";
import { createChainWatcher } from "#server/billing/chain-watcher";
import { depositRefFor } from "#server/billing/deposits";
import { createLedger } from "#server/billing/ledger";
import { createChainClients, deployContracts } from "#server/chain/client";
import { DEVNET_CHAIN_ID, devnetAccount, startAnvil } from "#server/chain/devnet";
import { formatStats, summarize } from "./support/stats";

const WATCH_INTERVAL_MS = 100;
const CONFIRMATIONS = 2;
const DEPOSITS = 25;
const POSTINGS = 20_000;

const dir = mkdtempSync(join(tmpdir(), "skyloom-chain-bench-"));
try {
  await depositToCredited();
  postingsPerSecond();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function depositToCredited() {
  const anvil = await startAnvil();
  const database = openDatabase(join(dir, "deposits.db"), migrationsFolder());
  try {
    const operator = devnetAccount(0);
    const addresses = await deployContracts({ rpcUrl: anvil.rpcUrl, chainId: DEVNET_CHAIN_ID, operator });
    const chain = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: DEVNET_CHAIN_ID, operator, addresses });
    const ledger = createLedger(database.sqlite);
    const watcher = createChainWatcher({ sqlite: database.sqlite, ledger, client: chain.public, chainId: DEVNET_CHAIN_ID, escrow: addresses.escrow, confirmations: CONFIRMATIONS });
    const funder = chain.walletFor(devnetAccount(1));
    await chain.tokenTx.mint(funder.account.address, parseEther("1000000"));
    await chain.tokenTx.approve(funder, addresses.escrow, maxUint256);
    const ref = depositRefFor(database.sqlite, "bench-team");
    const available = accountId.available({ teamId: "bench-team" });
    watcher.start(WATCH_INTERVAL_MS);
    const afterConfirmation: number[] = [];
    const fromDeposit: number[] = [];
    for (let i = 0; i < DEPOSITS; i += 1) {
      const before = ledger.balanceOf(available);
      const sent = performance.now();
      await chain.escrowTx.deposit(funder, ref, parseEther("1"));
      for (let c = 1; c < CONFIRMATIONS; c += 1) await chain.public.request({ method: "evm_mine" as never, params: [] as never });
      const confirmed = performance.now();
      while (ledger.balanceOf(available) === before) await new Promise((r) => setTimeout(r, 1));
      const credited = performance.now();
      afterConfirmation.push(credited - confirmed);
      fromDeposit.push(credited - sent);
    }
    await watcher.stop();
    console.log(`watcher: polls every ${WATCH_INTERVAL_MS} ms, ${CONFIRMATIONS} confirmations, anvil on loopback`);
    console.log(formatStats("deposit credited after its last confirmation", "ms", afterConfirmation));
    console.log(formatStats("deposit sent → credited (incl. mining the confirmations)", "ms", fromDeposit));
    console.log(`goal ≤ 1,000 ms after the last confirmation: ${summarize(afterConfirmation).median <= 1_000 ? "met" : "NOT met"}`);
  } finally {
    database.close();
    await anvil.stop();
  }
}

function postingsPerSecond() {
  const single: number[] = [];
  const batched: number[] = [];
  const bareCommits: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    const database = openDatabase(join(dir, `postings-${round}.db`), migrationsFolder());
    const ledger = createLedger(database.sqlite);
    const team = { teamId: "bench" };
    ledger.post({
      key: "fund",
      kind: "deposit",
      lines: [
        { account: accountId.available(team), amount: parseEther("1000000") },
        { account: accountId.chainEscrow(), amount: -parseEther("1000000") },
      ],
    });
    const usage = (key: string) => ({
      key,
      kind: "usage",
      teamId: "bench",
      lines: [
        { account: accountId.available(team), amount: -123_456_789_012n },
        { account: accountId.metered(team), amount: 123_456_789_012n },
      ],
    });
    let start = performance.now();
    for (let i = 0; i < POSTINGS; i += 1) ledger.post(usage(`single-${i}`));
    single.push(POSTINGS / ((performance.now() - start) / 1000));
    start = performance.now();
    for (let b = 0; b < POSTINGS / 1_000; b += 1) {
      ledger.atomically(() => {
        for (let i = 0; i < 1_000; i += 1) ledger.post(usage(`batched-${b}-${i}`));
      });
    }
    batched.push(POSTINGS / ((performance.now() - start) / 1000));
    // The floor this machine sets right now: one single-row insert per transaction, nothing else.
    const bare = database.sqlite.prepare("INSERT INTO chain_cursors (id, last_block, last_block_hash, head_block, updated_at) VALUES (?, 0, '', 0, 0)");
    start = performance.now();
    for (let i = 0; i < POSTINGS; i += 1) database.sqlite.transaction(() => bare.run(`bare-${i}`)).immediate();
    bareCommits.push(POSTINGS / ((performance.now() - start) / 1000));
    const problems = ledger.audit();
    if (problems.length > 0) throw new Error(`ledger audit failed: ${problems.join("; ")}`);
    database.close();
  }
  console.log(formatStats(`ledger postings, one transaction each (${POSTINGS} per round)`, "postings/s", single, 0));
  console.log(formatStats("ledger postings, 1,000 per transaction", "postings/s", batched, 0));
  console.log(formatStats("bare SQLite commits on this machine now (one-row insert each, for scale)", "commits/s", bareCommits, 0));
  // Usage is posted in the run's own transaction, and runs are stored in group commits (ADR 005):
  // the batched figure is the production path for metering; one-per-transaction is the worst case.
  console.log(`goal ≥ 10,000 metering postings/s (group-committed, as runs are): ${summarize(batched).median >= 10_000 ? "met" : "NOT met"}`);
}
