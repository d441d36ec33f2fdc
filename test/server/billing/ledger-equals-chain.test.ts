/**
 * THE money test: a random sequence of deposits, locks, leases streamed by the second (anvil
 * time travel), settlements, closes (by tenant, provider, or anyone once funds run out), usage
 * charges, withdrawals and provider payouts, with faults injected between them — the watcher
 * failing mid-batch, the same events delivered twice (a rewound cursor), the host restarting
 * between an event and its credit, the database refusing writes, and a watcher process killed
 * with SIGKILL at a random moment. Afterwards the ledger equals the escrow to the wei for every
 * team, reference, provider and the platform; every deposit is credited exactly once; nothing
 * is negative.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxUint256, parseEther, type Hash } from "viem";
import { openDatabase, type DatabaseHandle } from "#db/client";
import { migrationsFolder } from "#db/root";
import { accountId } from "#server/billing/accounts";
import { createChainWatcher } from "#server/billing/chain-watcher";
import { depositRefFor } from "#server/billing/deposits";
import { createLedger, type Ledger } from "#server/billing/ledger";
import { reconcile } from "#server/billing/reconcile";
import { postUsage, sweepUsage } from "#server/billing/usage";
import { devnetAccount } from "#server/chain/devnet";
import { id32, startTestChain, type TestChain } from "../chain/support";

const SEED = Number(process.env.LEDGER_CHAIN_SEED ?? 20261201);
const STEPS = Number(process.env.LEDGER_CHAIN_STEPS ?? 160);
const CONFIRMATIONS = 2;

let t: TestChain;
let dir: string;
let dbPath: string;

beforeAll(async () => {
  t = await startTestChain();
  dir = mkdtempSync(join(tmpdir(), "skyloom-ledger-chain-"));
  dbPath = join(dir, "skyloom.db");
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t?.stop();
});

/** A small seeded generator, so a failure can be replayed with LEDGER_CHAIN_SEED. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { int, pick: <T,>(xs: readonly T[]): T => xs[int(xs.length)]!, wei: (max: bigint) => (BigInt(int(2 ** 30)) * max) / 2n ** 30n + 1n };
}

/** The host's billing side: its database, ledger and watcher. `restart()` is a host restart. */
function host(rng: ReturnType<typeof random>) {
  let database: DatabaseHandle;
  let ledger: Ledger;
  const open = () => {
    database = openDatabase(dbPath, migrationsFolder());
    ledger = createLedger(database.sqlite);
  };
  open();
  const watcher = (beforePosting?: Parameters<typeof createChainWatcher>[0]["beforePosting"]) =>
    createChainWatcher({
      sqlite: database.sqlite,
      ledger,
      client: t.chain.public,
      chainId: t.chain.chain.id,
      escrow: t.chain.addresses.escrow,
      confirmations: CONFIRMATIONS,
      batchBlocks: 1 + rng.int(6),
      beforePosting,
    });
  return {
    get sqlite() {
      return database.sqlite;
    },
    get ledger() {
      return ledger;
    },
    watcher,
    restart() {
      database.close();
      open();
    },
    close: () => database.close(),
  };
}

describe("ledger equals chain after faults", () => {
  it(`random flows with injected faults end with ledger == escrow to the wei (seed ${SEED})`, async () => {
    const rng = random(SEED);
    const h = host(rng);
    const c = t.chain;
    const funder = devnetAccount(4);
    const providers = [devnetAccount(5), devnetAccount(6)];
    const stranger = devnetAccount(7);
    const funderWallet = c.walletFor(funder);
    await c.tokenTx.mint(funder.address, parseEther("1000000000"));
    await c.tokenTx.approve(funderWallet, c.addresses.escrow, maxUint256);

    const teams = ["t0", "t1", "t2"];
    const refs = new Map<Hash, string | null>(teams.map((team) => [depositRefFor(h.sqlite, team), team]));
    refs.set(id32("a reference no team owns"), null);
    type Order = { id: Hash; ref: Hash; state: "locked" | "leased" | "done"; provider?: (typeof providers)[number] };
    const orders: Order[] = [];
    const faults: Record<string, number> = {};
    const counted = (name: string) => (faults[name] = (faults[name] ?? 0) + 1);
    let usageCount = 0;
    let deposits = 0;

    /** Confirm everything and let the watcher post it: operator actions then see the true ledger. */
    async function catchUp() {
      await t.test.mine({ blocks: CONFIRMATIONS });
      await h.watcher().pollOnce();
    }
    const teamRefs = () => [...refs.entries()].filter(([, team]) => team !== null).map(([ref, team]) => ({ ref, team: team! }));
    const ignoreRevert = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        if (!/reverted/i.test((e as Error).message)) throw e;
      }
    };

    const steps: (() => Promise<void>)[] = [
      // deposits, from the funder, to a team or to a reference no team owns
      async () => {
        await c.escrowTx.deposit(funderWallet, rng.pick([...refs.keys()]), rng.wei(parseEther("1000")));
        deposits += 1;
      },
      // lock for an order, within what the ledger says is available
      async () => {
        await catchUp();
        const { ref, team } = rng.pick(teamRefs());
        const available = h.ledger.balanceOf(accountId.available({ teamId: team }));
        if (available === 0n) return;
        const order = { id: id32(`order-${orders.length}-${SEED}`), ref, state: "locked" as const };
        await c.escrowTx.lock(order.id, ref, rng.wei(available));
        orders.push(order);
      },
      // start a lease at a rate the lock covers for 10–1,000 seconds
      async () => {
        const order = orders.find((o) => o.state === "locked");
        if (!order) return;
        const [, , , , , , locked] = await c.escrow.read.orders([order.id]);
        const rate = locked / BigInt(10 + rng.int(990)) || 1n;
        order.provider = rng.pick(providers);
        await c.escrowTx.startLease(order.id, order.provider.address, rate);
        order.state = "leased";
      },
      // unlock an order that never became a lease
      async () => {
        const order = orders.find((o) => o.state === "locked");
        if (!order) return;
        await c.escrowTx.unlock(order.id);
        order.state = "done";
      },
      // time passes
      async () => {
        await t.test.increaseTime({ seconds: 1 + rng.int(400) });
        await t.test.mine({ blocks: 1 });
      },
      // settle one lease (anyone may), or all of them in one batch
      async () => {
        const leased = orders.filter((o) => o.state === "leased");
        if (leased.length === 0) return;
        if (rng.int(2) === 0) await ignoreRevert(c.escrowTx.settle(rng.pick(leased).id, c.walletFor(stranger)));
        else await c.escrowTx.settleMany(leased.map((o) => o.id));
      },
      // close a lease: the tenant (operator), its provider, or a stranger once it ran dry
      async () => {
        const leased = orders.filter((o) => o.state === "leased");
        if (leased.length === 0) return;
        const order = rng.pick(leased);
        const exhausted = await c.escrow.read.exhausted([order.id]);
        const by = exhausted && rng.int(2) === 0 ? c.walletFor(stranger) : rng.int(2) === 0 ? c.walletFor(order.provider!) : c.operator;
        await c.escrowTx.close(order.id, by);
        order.state = "done";
      },
      // usage metered into the ledger (several runs), then swept on-chain in one charge
      async () => {
        await catchUp();
        const { team } = rng.pick(teamRefs());
        for (let run = 0; run < 1 + rng.int(3); run += 1) {
          const available = h.ledger.balanceOf(accountId.available({ teamId: team }));
          if (available === 0n) break;
          const amount = rng.wei(available / 10n + 1n);
          if (amount > available) break;
          usageCount += 1;
          postUsage(h.ledger, { key: `usage:run:${usageCount}`, teamId: team, amountWei: amount });
        }
        if (rng.int(4) > 0) await sweepUsage(c, h.ledger, h.sqlite, team);
      },
      // a team withdraws part of what is available
      async () => {
        await catchUp();
        const { ref, team } = rng.pick(teamRefs());
        const available = h.ledger.balanceOf(accountId.available({ teamId: team }));
        if (available === 0n) return;
        await c.escrowTx.withdraw(ref, funder.address, rng.wei(available));
      },
      // a provider withdraws earnings; the operator withdraws platform revenue
      async () => {
        const provider = rng.pick(providers);
        const earned = await c.escrow.read.earnings([provider.address]);
        if (earned > 0n) await c.escrowTx.withdrawEarnings(c.walletFor(provider), provider.address, rng.wei(earned));
        const revenue = await c.escrow.read.platformRevenue();
        if (revenue > 0n && rng.int(3) === 0) await c.escrowTx.withdrawRevenue(funder.address, rng.wei(revenue));
      },
      // the watcher polls normally
      async () => {
        await h.watcher().pollOnce();
      },
    ];

    const injections: (() => Promise<void>)[] = [
      // the watcher dies mid-batch (any posting in the batch): nothing of the batch lands
      async () => {
        counted("failed mid-batch");
        let n = 0;
        const dieAt = rng.int(4);
        const w = h.watcher(() => {
          if (n++ === dieAt) throw new Error("watcher killed mid-batch");
        });
        await w.pollOnce().catch((e: Error) => expect(e.message).toBe("watcher killed mid-batch"));
      },
      // the same events again: the cursor rewound by up to 30 blocks (at-least-once delivery)
      async () => {
        counted("delivered twice");
        const cursor = h.sqlite.prepare("SELECT last_block FROM chain_cursors").get() as { last_block: number } | undefined;
        if (!cursor) return;
        const to = Math.max(0, cursor.last_block - 1 - rng.int(30));
        const block = await c.public.getBlock({ blockNumber: BigInt(to) });
        h.sqlite.prepare("UPDATE chain_cursors SET last_block = ?, last_block_hash = ?").run(to, block.hash);
        await h.watcher().pollOnce();
      },
      // the host restarts with events seen but not yet credited
      async () => {
        counted("host restart");
        await h.watcher().pollOnce();
        await c.escrowTx.deposit(funderWallet, rng.pick([...refs.keys()]), rng.wei(parseEther("10")));
        deposits += 1;
        await t.test.mine({ blocks: 1 });
        h.restart();
      },
      // the database refuses writes for one poll
      async () => {
        counted("database write failed");
        h.sqlite.pragma("query_only = ON");
        try {
          await t.test.mine({ blocks: CONFIRMATIONS });
          await expect(h.watcher().pollOnce()).rejects.toThrow(/readonly|read-only|query_only|attempt to write/i);
        } finally {
          h.sqlite.pragma("query_only = OFF");
        }
      },
    ];

    for (let step = 0; step < STEPS; step += 1) {
      await (rng.int(6) === 0 ? rng.pick(injections) : rng.pick(steps))();
    }

    // A watcher process killed with SIGKILL at random moments while it posts.
    const worker = fileURLToPath(new URL("./watcher-process.ts", import.meta.url));
    for (let kill = 0; kill < 2; kill += 1) {
      for (let i = 0; i < 8; i += 1) await c.escrowTx.deposit(funderWallet, rng.pick([...refs.keys()]), rng.wei(parseEther("3")));
      deposits += 8;
      await t.test.mine({ blocks: CONFIRMATIONS });
      counted("watcher process SIGKILL");
      const child = spawn(process.execPath, ["--import", "tsx", worker, dbPath, t.anvil.rpcUrl, c.addresses.escrow, String(CONFIRMATIONS)], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      // Kill it after its first poll has begun posting (or at once, on the second round).
      await new Promise<void>((resolve) => {
        if (kill === 1) return resolve();
        child.stdout.once("data", () => resolve());
        child.once("exit", () => resolve());
      });
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
    }

    await catchUp();
    h.restart();
    await catchUp();

    const { differences } = await reconcile(c, h.sqlite, h.ledger);
    expect(differences).toEqual([]);
    expect(h.ledger.audit()).toEqual([]);
    const depositLogs = await c.public.getContractEvents({ address: c.addresses.escrow, abi: (await import("#server/chain/generated/contracts")).sponEscrowAbi, eventName: "Deposited", fromBlock: 0n });
    const credited = h.sqlite.prepare("SELECT count(*) AS n FROM ledger_entries WHERE kind = 'deposit'").get() as { n: number };
    expect(depositLogs.length).toBe(deposits);
    expect(credited.n).toBe(deposits);
    const rows = h.sqlite.prepare("SELECT status, count(*) AS n FROM chain_deposits GROUP BY status").all();
    expect(rows).toEqual([{ status: "credited", n: deposits }]);
    for (const p of providers) {
      expect(h.ledger.balanceOf(accountId.providerEarnings(p.address))).toBe(await c.escrow.read.earnings([p.address]));
    }
    // The run exercised what it claims to.
    const kinds = h.sqlite.prepare("SELECT kind, count(*) AS n FROM ledger_entries GROUP BY kind").all() as { kind: string; n: number }[];
    const seen = new Set(kinds.map((k) => k.kind));
    for (const kind of ["deposit", "order.lock", "lease.settle", "lease.refund", "usage", "usage.sweep", "usage.charge", "withdrawal", "earnings.withdrawal"]) {
      expect(seen, `no ${kind} entry in this run`).toContain(kind);
    }
    for (const fault of ["failed mid-batch", "delivered twice", "host restart", "database write failed"]) expect(faults[fault] ?? 0).toBeGreaterThan(0);
    h.close();
  }, 300_000);
});
