/**
 * Issue 13's money test through the real host: a random sequence of 1,000 deposits, /v1 runs
 * (some refused with 402), leases (lock, start, unlock), stops (close by the tenant, the
 * provider or anyone once funds ran out), payouts (settled on demand through the billing
 * router, withdrawn by providers), time passing, and kill -9 of the Skyloom host at random
 * points — idle, mid-request, mid-settlement, while its watcher posts — after which it is started
 * again on the same data folder and the sequence goes on. The chain (anvil, started here) lives
 * through every kill. At the end the ledger equals the escrow to the wei (reconciliation, also
 * as `npm run reconcile`), nothing is or ever was negative, every posting balances, every
 * deposit is credited exactly once, and every run's usage sits in the same transaction as the run.
 *
 * Leases are driven as the marketplace will: the operator wallet locks and starts them on the
 * escrow, and the host's watcher posts their events (lease escrow is not yet wired into
 * deployments). SEED replays a sequence; STEPS and KILLS change its length.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxUint256, parseEther, type Hash } from "viem";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { accountId } from "#server/billing/accounts";
import { amountFromText, sponToWei, weiToSpon } from "#server/billing/amounts";
import { linkProvider } from "#server/billing/earnings";
import { createLedger } from "#server/billing/ledger";
import { runIdsOfUsageEntry } from "#server/billing/metering";
import { estimateRunCost, priceTableFrom } from "#server/billing/prices";
import { reconcile } from "#server/billing/reconcile";
import { runReconcile } from "#server/billing/reconcile-command";
import { devnetAccount } from "#server/chain/devnet";
import { sponEscrowAbi } from "#server/chain/generated/contracts";
import { helloAgentGraph } from "#server/services/seed";
import { id32, startTestChain, type TestChain } from "../chain/support";
import { KillableHost, openaiFor, Person, seededRandom, waitFor } from "./kill9-support";

const SEED = Number(process.env.SEED ?? Math.floor(Math.random() * 2 ** 31));
const STEPS = Number(process.env.STEPS ?? 1000);
const KILLS = Number(process.env.KILLS ?? 8);
/** 1 SPON per 1K input tokens, 2 per 1K output: a run holds ~2 SPON, so teams run short often. */
const PRICES = "skyloom-dev=1/2";
const OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // anvil's account 0

let t: TestChain;
let dataDir: string;
let host: KillableHost;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestChain();
  dataDir = mkdtempSync(join(tmpdir(), "skyloom-kill9-"));
  env = {
    DATA_DIR: dataDir,
    PORT: "0",
    SEED_DEMO: "false",
    SKYLOOM_MARKETPLACE_NODES: "0",
    SKYLOOM_SIGNUPS_PER_HOUR: "1000",
    SKYLOOM_BILLING: "on",
    SKYLOOM_TOKEN_PRICES: PRICES,
    CHAIN_RPC_URL: t.anvil.rpcUrl,
    CHAIN_ID: String(t.chain.chain.id),
    SPON_TOKEN_ADDRESS: t.chain.addresses.token,
    ESCROW_ADDRESS: t.chain.addresses.escrow,
    CHAIN_OPERATOR_KEY: OPERATOR_KEY,
    CHAIN_CONFIRMATIONS: "2",
    CHAIN_POLL_MS: "20",
  };
  host = new KillableHost(env);
  await host.start();
}, 120_000);

afterAll(async () => {
  await host?.stop();
  await t?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type Team = { person: Person; id: string; ref: Hash; apiKey: string; slug: string; wallet: ReturnType<TestChain["chain"]["walletFor"]> };
type Order = { id: Hash; team: Team; state: "locked" | "leased" | "done"; provider?: ReturnType<typeof devnetAccount> };
type RunOutcome = { status: 200; runId: string } | { status: 402; error: InstanceType<typeof OpenAI.APIError> } | { status: "failed"; error: unknown };

describe("random flows with kill -9 of the host", () => {
  it(`end with ledger == chain to the wei and nothing negative (SEED=${SEED})`, async () => {
    console.log(`random-flows-kill9: SEED=${SEED} STEPS=${STEPS} KILLS=${KILLS} (replay with SEED=${SEED})`);
    const started = performance.now();
    const rng = seededRandom(SEED);
    const c = t.chain;
    const prices = priceTableFrom(PRICES);
    const providers = [devnetAccount(5), devnetAccount(6)];
    const stranger = devnetAccount(7);

    // Three tenant teams, each with a published agent, an API key and a wallet holding SPON; a
    // provider team whose nodes are paid at the providers' addresses.
    const teams: Team[] = [];
    for (let i = 0; i < 3; i += 1) {
      const person = new Person(host, `tenant${i}@example.com`);
      await person.signUp();
      const flow = await person.trpc.flow.create.mutate({ name: `Agent ${i}`, graph: helloAgentGraph() });
      const { slug } = await person.trpc.agent.publish.mutate({ flowId: flow.id });
      const { token } = await person.trpc.apiKey.create.mutate({ name: "backend", kind: "secret" });
      const { depositRef } = await person.trpc.billing.depositInstructions.query();
      const id = (await person.trpc.team.list.query())[0]!.id;
      const account = devnetAccount(1 + i);
      const wallet = c.walletFor(account);
      await c.tokenTx.mint(account.address, parseEther("1000000"));
      await c.tokenTx.approve(wallet, c.addresses.escrow, maxUint256);
      teams.push({ person, id, ref: depositRef, apiKey: token, slug, wallet });
    }
    const providerTeam = new Person(host, "provider@example.com");
    await providerTeam.signUp();
    const providerTeamId = (await providerTeam.trpc.team.list.query())[0]!.id;
    {
      // The marketplace links a team's node to its payout address when the node joins.
      const db = openDatabase(join(dataDir, "skyloom.db"), migrationsFolder());
      providers.forEach((p, i) => linkProvider(db.sqlite, { teamId: providerTeamId, address: p.address, label: `gpu-node-${i}` }));
      db.close();
    }

    const orders: Order[] = [];
    const billedRuns = new Set<string>(); // answered 200 outside a kill step: must be billed
    const count: Record<string, number> = {};
    const counted = (what: string, n = 1) => (count[what] = (count[what] ?? 0) + n);
    let deposits = 0;
    /** A chain transaction since the watcher last caught up: the ledger may not show it yet. */
    let dirty = true;

    /** Confirms everything sent so far and waits until the host's watcher has posted it. */
    async function catchUp() {
      await t.test.mine({ blocks: 1 });
      const head = await c.public.getBlockNumber();
      await waitFor("the host's watcher to catch up", async () => {
        const { billing } = await host.health();
        if (billing.error) throw new Error(`the host's watcher failed: ${billing.error}`);
        return billing.processedBlock >= Number(head) - 1;
      });
      dirty = false;
    }
    const available = async (team: Team) => {
      if (dirty) await catchUp();
      return BigInt((await team.person.trpc.billing.summary.query()).available.wei);
    };
    const tx = async (p: Promise<unknown>) => {
      await p;
      dirty = true;
    };

    const ask = (team: Team, content: string): Promise<RunOutcome> =>
      openaiFor(host, team.apiKey)
        .chat.completions.create({ model: team.slug, messages: [{ role: "user", content }] })
        .then(
          (answer): RunOutcome => ({ status: 200, runId: answer.id.replace(/^chatcmpl-/, "") }),
          (error: unknown): RunOutcome => (error instanceof OpenAI.APIError && error.status === 402 ? { status: 402, error } : { status: "failed", error }),
        );
    const question = () => `Question ${rng.int(1_000_000)}: ${"tell me about SPON ".repeat(1 + rng.int(12))}`;
    /**
     * A 402 in OpenAI's insufficient_quota shape, naming the hold it needed (the estimate) and
     * what the team had, less than that — exactly `had` when the test knows the balance.
     */
    const expectQuotaError = (outcome: RunOutcome, estimateWei: bigint, had?: bigint) => {
      if (outcome.status !== 402) throw new Error(`expected a 402, got ${outcome.status === 200 ? "200" : String(outcome.error)}`);
      expect(outcome.error.error).toEqual({
        message: expect.stringMatching(/^You exceeded your current quota: this request may cost up to [\d.]+ SPON and your team has [\d.]+ SPON available\. Add funds on the Billing page\.$/),
        type: "insufficient_quota",
        param: null,
        code: "insufficient_quota",
      });
      const [, needed, has] = /up to ([\d.]+) SPON and your team has ([\d.]+) SPON/.exec(outcome.error.message)!;
      expect(sponToWei(needed!)).toBe(estimateWei);
      expect(sponToWei(has!)).toBeLessThan(estimateWei);
      if (had !== undefined) expect(has).toBe(weiToSpon(had));
    };

    const steps = {
      async deposit() {
        const team = rng.pick(teams);
        await tx(c.escrowTx.deposit(team.wallet, team.ref, rng.chance(0.1) ? BigInt(1 + rng.int(1000)) : rng.wei(parseEther("6"))));
        deposits += 1;
      },
      /**
       * One /v1 call. Mostly with the watcher caught up and nothing else in flight, so the test
       * knows the balance and the answer exactly (200 when it covers the hold, else 402 naming
       * it); otherwise while chain events may still be on their way (the 402 must still hold up).
       */
      async run() {
        const team = rng.pick(teams);
        const content = question();
        const { estimateWei } = estimateRunCost(prices, helloAgentGraph(), content.length);
        const before = !dirty || rng.chance(0.6) ? await available(team) : undefined;
        const outcome = await ask(team, content);
        if (outcome.status === "failed") throw outcome.error;
        if (outcome.status === 402 || (before !== undefined && before < estimateWei)) expectQuotaError(outcome, estimateWei, before);
        else if (before !== undefined) expect(outcome.status, `team had ${before} wei for a hold of ${estimateWei}`).toBe(200);
        if (outcome.status === 200) billedRuns.add(outcome.runId);
        counted(`run ${outcome.status}`);
      },
      /** Several calls at once: holds are taken together, so at least as many as the balance covers answer. */
      async burst() {
        const team = rng.pick(teams);
        const contents = Array.from({ length: 3 + rng.int(4) }, question);
        const estimates = contents.map((q) => estimateRunCost(prices, helloAgentGraph(), q.length).estimateWei);
        const before = await available(team);
        const outcomes = await Promise.all(contents.map((q) => ask(team, q)));
        outcomes.forEach((o, i) => {
          if (o.status === "failed") throw o.error;
          if (o.status === 402) expectQuotaError(o, estimates[i]!);
          else billedRuns.add(o.runId);
          counted(`run ${o.status}`);
        });
        const dearest = estimates.reduce((a, b) => (a > b ? a : b));
        const answered = outcomes.filter((o) => o.status === 200).length;
        expect(answered).toBeGreaterThanOrEqual(Math.min(contents.length, Number(before / dearest)));
      },
      /** The operator locks escrow for an order, within what the ledger says the team has. */
      async lock() {
        const team = rng.pick(teams);
        const spare = await available(team);
        if (spare === 0n) return;
        const order: Order = { id: id32(`order-${SEED}-${orders.length}`), team, state: "locked" };
        await tx(c.escrowTx.lock(order.id, team.ref, rng.wei(spare)));
        orders.push(order);
      },
      /** The provider's lease starts at a rate its lock covers for 10–1,000 seconds. */
      async startLease() {
        const order = orders.find((o) => o.state === "locked");
        if (!order) return;
        const [, , , , , , locked] = await c.escrow.read.orders([order.id]);
        order.provider = rng.pick(providers);
        await tx(c.escrowTx.startLease(order.id, order.provider.address, locked / BigInt(10 + rng.int(990)) || 1n));
        order.state = "leased";
      },
      async unlock() {
        const order = orders.find((o) => o.state === "locked");
        if (!order) return;
        await tx(c.escrowTx.unlock(order.id));
        order.state = "done";
      },
      /** A stop: the tenant (the operator), the provider, or anyone once the lock ran dry. */
      async close() {
        const leased = orders.filter((o) => o.state === "leased");
        if (leased.length === 0) return;
        const order = rng.pick(leased);
        const exhausted = await c.escrow.read.exhausted([order.id]);
        const by = exhausted && rng.chance(0.5) ? c.walletFor(stranger) : rng.chance(0.5) ? c.walletFor(order.provider!) : c.operator;
        await tx(c.escrowTx.close(order.id, by));
        order.state = "done";
        counted("close");
      },
      /** The provider team settles its earnings on demand: one settleMany from the host. */
      async settle() {
        const result = await providerTeam.trpc.billing.settleEarnings.mutate();
        if (result.txHash) dirty = true;
        counted("settled leases", result.leases);
      },
      async timePasses() {
        await t.test.increaseTime({ seconds: 1 + rng.int(600) });
        await tx(t.test.mine({ blocks: 1 }));
      },
      /** A provider withdraws part of its earnings to its wallet. */
      async payout() {
        const provider = rng.pick(providers);
        const earned = await c.escrow.read.earnings([provider.address]);
        if (earned > 0n) await tx(c.escrowTx.withdrawEarnings(c.walletFor(provider), provider.address, rng.wei(earned)));
      },
      /** The operator withdraws part of a team's available balance for it. */
      async withdraw() {
        const team = rng.pick(teams);
        const spare = await available(team);
        if (spare > 0n) await tx(c.escrowTx.withdraw(team.ref, devnetAccount(1).address, rng.wei(spare)));
      },
    } satisfies Record<string, () => Promise<void>>;
    type StepName = keyof typeof steps;
    const mix: [number, StepName][] = [
      [14, "deposit"],
      [26, "run"],
      [4, "burst"],
      [8, "lock"],
      [7, "startLease"],
      [2, "unlock"],
      [7, "close"],
      [4, "settle"],
      [8, "timePasses"],
      [3, "payout"],
      [2, "withdraw"],
    ];

    // Where the kills land, and how: idle, mid-request, mid-settlement, while the watcher posts.
    const killKinds = ["idle", "mid-request", "mid-settlement", "mid-watcher"] as const;
    const killAt = new Map<number, (typeof killKinds)[number]>();
    while (killAt.size < KILLS) killAt.set(20 + rng.int(STEPS - 40), killKinds[killAt.size % killKinds.length]!);

    /** Lets the kill land a random few ms into what is going on: the point is not to choose it. */
    const aMoment = () => new Promise((resolve) => setTimeout(resolve, rng.int(80)));
    async function killAndRestart(kind: (typeof killKinds)[number]) {
      await host.health(); // up, and past every earlier run's group commit
      const inFlight: Promise<unknown>[] = [];
      if (kind === "mid-request") {
        for (let i = 0; i < 4 + rng.int(6); i += 1) {
          inFlight.push(ask(rng.pick(teams), question()).then((o) => counted(o.status === "failed" ? "runs cut off by the kill" : "runs answered before the kill")));
        }
        await aMoment();
      } else if (kind === "mid-settlement") {
        const head = await c.public.getBlockNumber();
        let answered = false;
        inFlight.push(providerTeam.trpc.billing.settleEarnings.mutate().then(() => (answered = true), () => (answered = true)));
        // Half the time the moment the settleMany is mined (before the host hears back), else at random.
        if (rng.chance(0.5)) await waitFor("the settlement to be sent or answered", async () => answered || (await c.public.getBlockNumber()) > head);
        else await aMoment();
      } else if (kind === "mid-watcher") {
        for (let i = 0; i < 3 + rng.int(10); i += 1) await steps.deposit();
        await t.test.mine({ blocks: 2 });
        await aMoment();
      }
      await host.kill();
      counted(`kill -9 ${kind}`);
      await Promise.all(inFlight); // every one resolves: answered, refused, or cut off
      if (rng.chance(0.5)) await rewindCursor(1 + rng.int(30));
      await host.start();
      dirty = true;
    }

    /**
     * While the host is down, its chain cursor goes back a few blocks (as if its last moves were
     * lost): the restarted watcher reads events it already posted. They must post once.
     */
    async function rewindCursor(blocks: number) {
      const db = openDatabase(join(dataDir, "skyloom.db"), migrationsFolder());
      try {
        const cursor = db.sqlite.prepare<[], { last_block: number }>("SELECT last_block FROM chain_cursors").get();
        if (!cursor || cursor.last_block < blocks) return;
        const to = cursor.last_block - blocks;
        const { hash } = await c.public.getBlock({ blockNumber: BigInt(to) });
        db.sqlite.prepare("UPDATE chain_cursors SET last_block = ?, last_block_hash = ?").run(to, hash);
        counted("cursor rewound");
      } finally {
        db.close();
      }
    }

    const msPerKind: Record<string, number> = {};
    for (let step = 0; step < STEPS; step += 1) {
      const kill = killAt.get(step);
      const kind = kill ? `kill ${kill}` : rng.weighted(mix);
      const at = performance.now();
      if (kill) await killAndRestart(kill);
      else await steps[kind as StepName]();
      msPerKind[kind] = (msPerKind[kind] ?? 0) + performance.now() - at;
    }
    await catchUp();
    expect((await host.health()).billing).toMatchObject({ status: "ok", error: null });
    await host.stop();

    await checkLedgerEqualsChain({ deposits, billedRuns, teams });
    const seconds = Math.round((performance.now() - started) / 1000);
    console.log(`random-flows-kill9: SEED=${SEED}, ${STEPS} steps in ${seconds} s, ${host.starts} host starts, ${JSON.stringify(count)}; ms per kind of step ${JSON.stringify(msPerKind, (_k, v: unknown) => (typeof v === "number" ? Math.round(v) : v))}`);

    // The sequence did what it claims to.
    for (const what of ["run 200", "run 402", "close", "settled leases", ...killKinds.map((k) => `kill -9 ${k}`)]) expect(count[what] ?? 0, what).toBeGreaterThan(0);
  }, 600_000);
});

/** Everything that must hold once the host has stopped: ledger == chain, nothing negative, exactly once. */
async function checkLedgerEqualsChain(run: { deposits: number; billedRuns: Set<string>; teams: { id: string }[] }) {
  const c = t.chain;
  // `npm run reconcile`, as an operator runs it against this data folder and chain.
  const out: string[] = [];
  const exit = await runReconcile(env, { stdout: (s) => out.push(s), stderr: (s) => out.push(s) });
  expect(out.join(""), "npm run reconcile").toMatch(/^Ledger and escrow agree to the wei at block \d+/);
  expect(exit).toBe(0);

  const db = openDatabase(join(dataDir, "skyloom.db"), migrationsFolder());
  try {
    const sqlite = db.sqlite;
    const ledger = createLedger(sqlite);
    expect((await reconcile(c, sqlite, ledger)).differences).toEqual([]);
    // Every posting balances and every balance is the sum of its lines (audit), and no line ever
    // left an account other than the chain's contra account below zero.
    expect(ledger.audit()).toEqual([]);
    const everNegative = sqlite
      .prepare<[], { account_id: string; balance_after: string }>("SELECT account_id, balance_after FROM ledger_lines WHERE balance_after LIKE '-%' AND account_id <> 'chain:escrow'")
      .all();
    expect(everNegative).toEqual([]);
    for (const account of ledger.accounts()) if (account.id !== accountId.chainEscrow()) expect(account.balance, account.id).toBeGreaterThanOrEqual(0n);

    // Every Deposited log credited exactly once, under its (transaction, log index), with its amount.
    const logs = await c.public.getContractEvents({ address: c.addresses.escrow, abi: sponEscrowAbi, eventName: "Deposited", fromBlock: 0n, strict: true });
    expect(logs).toHaveLength(run.deposits);
    const credited = sqlite
      .prepare<[], { key: string; amount: string }>("SELECT e.key, l.amount FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id WHERE e.kind = 'deposit' AND l.account_id <> 'chain:escrow'")
      .all();
    const expected = logs.map((l) => ({ key: `chain:${c.chain.id}:${l.transactionHash.toLowerCase()}:${l.logIndex}`, amount: String(l.args.amount) }));
    const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
    expect(credited.sort(byKey)).toEqual(expected.sort(byKey));
    expect(sqlite.prepare("SELECT status, count(*) AS n FROM chain_deposits GROUP BY status").all()).toEqual([{ status: "credited", n: run.deposits }]);

    // Usage rides in its run's transaction: every usage entry has its run, the daily rollup adds
    // up to the ledger's usage for every team, and every run answered before a kill is billed.
    // An entry names its runs (metering.ts runIdsOfUsageEntry): in its key, or a group's in its memo.
    const runIds = new Set(sqlite.prepare<[], { id: string }>("SELECT id FROM runs").all().map((r) => r.id));
    const usage = sqlite
      .prepare<[], { key: string; memo: string | null; team_id: string; amount: string }>(
        `SELECT e.key, e.memo, e.team_id, l.amount FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id AND l.account_id LIKE '%:metered' WHERE e.kind = 'usage'`,
      )
      .all()
      .map((u) => ({ ...u, runs: runIdsOfUsageEntry(u) }));
    expect(usage.filter((u) => u.runs.length === 0 || u.runs.some((id) => !runIds.has(id)))).toEqual([]);
    const rollup = sqlite.prepare<[string], { cost_spon: number; cost_wei_fraction: number }>("SELECT cost_spon, cost_wei_fraction FROM billing_usage_daily WHERE team_id = ?").safeIntegers(true);
    for (const team of run.teams) {
      const inLedger = usage.filter((u) => u.team_id === team.id).reduce((sum, u) => sum + amountFromText(u.amount), 0n);
      const inRollup = rollup.all(team.id).reduce((sum, r) => sum + BigInt(r.cost_spon) * 10n ** 18n + BigInt(r.cost_wei_fraction), 0n);
      expect(inRollup, `team ${team.id}: rollup vs ledger usage`).toBe(inLedger);
    }
    const billed = new Set(usage.flatMap((u) => u.runs));
    expect([...run.billedRuns].filter((id) => !billed.has(id)), "runs answered but not billed").toEqual([]);
  } finally {
    db.close();
  }
}
