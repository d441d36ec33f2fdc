/**
 * What billing costs (issue 13), against the issue's three targets:
 *
 * 1. Metering postings per second (target ≥ 10,000/s): the usage posting a run's settlement
 *    writes (hold released, cost computed, ledger entry, rollup row), group-committed 64 to a
 *    transaction as the run store does. Also its CPU time per posting (process.cpuUsage), which
 *    depends much less on the load of the shared machine than postings per second do.
 * 2. The gateway with and without its ledger write in one run (target ≤ 5 % of its throughput):
 *    /v1/chat/completions of the same agent against a zero-latency stub model, hosts bundled as
 *    `npm start` runs them. 2a compares a host with SKYLOOM_BILLING=off and one with billing on
 *    (the embedded devnet, the team funded by its welcome grant), rounds alternating. 2b is the
 *    issue's measure: the billed host with its usage posting switched on and off between short
 *    rounds, in pairs. Shown by req/s and by host CPU per request (from /proc).
 * 3. A deposit credited after its last confirmation on the devnet (target ≤ 1 s): the host's
 *    own chain billing (devnet, watcher, block ticker as `npm start` runs them), the confirming
 *    block mined by the bench, the time until the team's balance shows the deposit.
 *
 * `npm run bench -- billing`; BILLING_BENCH=metering,gateway,deposit picks parts;
 * BILLING_BENCH_PROFILE=<dir> writes the hosts' CPU profiles there (node --cpu-prof).
 * BILLING_BENCH_ROUNDS=<n> sets the rounds per host of part 2a (6), BILLING_BENCH_PAIRS=<n> the pairs
 * of part 2b (20); BILLING_BENCH_TSX=1 runs the hosts under tsx instead of bundled as production.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gatewayWithAndWithoutBilling, runBenchHost, runStub, type BenchSetting } from "./support/billing-gateway";
import { formatStats, summarize } from "./support/stats";

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const median = (xs: number[]) => summarize(xs).median;

async function meteringPostings(): Promise<void> {
  const { openDatabase } = await import("#db/client");
  const { migrationsFolder } = await import("#db/root");
  const { accountId } = await import("#server/billing/accounts");
  const { createLedger } = await import("#server/billing/ledger");
  const { UsageMeter } = await import("#server/billing/metering");
  const { priceTableFrom } = await import("#server/billing/prices");
  const { helloAgentGraph } = await import("#server/services/seed");
  const { randomUUID } = await import("node:crypto");
  const dir = mkdtempSync(join(tmpdir(), "skyloom-bench-metering-"));
  const database = openDatabase(join(dir, "bench.db"), migrationsFolder());
  try {
    const ledger = createLedger(database.sqlite);
    const prices = priceTableFrom(undefined);
    const meter = new UsageMeter(database.sqlite, ledger, () => prices);
    const teams = Array.from({ length: 20 }, (_, i) => `team-${i}`);
    for (const teamId of teams) {
      ledger.post({ key: `fund:${teamId}`, kind: "deposit", teamId, lines: [{ account: accountId.available({ teamId }), amount: 10n ** 27n }, { account: accountId.chainEscrow(), amount: -(10n ** 27n) }] });
    }
    const graph = helloAgentGraph();
    const GROUP = 64;
    const BATCHES = 200;
    const ROUNDS = 7;
    const rates: number[] = [];
    const cpuMicros: number[] = [];
    const loads: number[] = [];
    const settleGroup = database.sqlite.transaction((holds: { teamId: string; hold: ReturnType<typeof meter.reserve> }[]) => {
      // As the run store settles a group: the runs' usage posted together, one entry per team.
      meter.postRunsUsage(holds.map(({ teamId, hold }, i) => ({ runId: randomUUID(), startedAt: Date.now(), teamId, agentId: `agent-${i % 5}`, apiKeyId: `key-${i % 3}`, day: "2026-12-01", promptTokens: 12, completionTokens: 5, hold })));
    });
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (let b = 0; b < BATCHES; b++) {
        const holds = Array.from({ length: GROUP }, (_, i) => {
          const teamId = teams[(b * GROUP + i) % teams.length]!;
          return { teamId, hold: meter.reserve({ teamId, apiKeyId: `key-${i % 3}`, graph, inputChars: 16 }) };
        });
        settleGroup(holds);
      }
      const used = process.cpuUsage(cpu);
      rates.push((BATCHES * GROUP) / ((performance.now() - started) / 1000));
      cpuMicros.push((used.user + used.system) / (BATCHES * GROUP));
      loads.push(loadavg()[0]!);
    }
    const problems = ledger.audit();
    if (problems.length > 0) throw new Error(`the ledger does not balance after the bench: ${problems.slice(0, 3).join("; ")}`);
    console.log(`\n1. metering: hold + settle (ledger entry per team and group + rollup), ${GROUP} per group commit over ${teams.length} teams, ${ROUNDS} rounds of ${BATCHES * GROUP}:`);
    console.log(formatStats("  postings/s", "postings/s", rates, 0));
    console.log(formatStats("  CPU per posting (process.cpuUsage)", "µs", cpuMicros, 1));
    console.log(`  → ${Math.round(1_000_000 / median(cpuMicros))} postings per CPU-second; load average during the rounds: median ${median(loads).toFixed(2)}`);
    console.log(`  target ≥ 10,000/s: ${median(rates) >= 10_000 ? "met" : "NOT met"} by postings/s (median), ${1_000_000 / median(cpuMicros) >= 10_000 ? "met" : "NOT met"} by CPU per posting`);
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function depositCredited(): Promise<void> {
  const { openDatabase } = await import("#db/client");
  const { migrationsFolder } = await import("#db/root");
  const { accountId } = await import("#server/billing/accounts");
  const { startChainBilling } = await import("#server/billing/chain-billing");
  const { loadChainConfig } = await import("#server/chain/config");
  const { parseEther } = await import("viem");
  const DEPOSITS = 15;
  const dir = mkdtempSync(join(tmpdir(), "skyloom-bench-deposit-"));
  const database = openDatabase(join(dir, "bench.db"), migrationsFolder());
  // The host's configuration with no variables set: the devnet, its block ticker, 2 confirmations.
  const config = loadChainConfig({});
  const billing = await startChainBilling({ config, dataDir: dir, sqlite: database.sqlite });
  try {
    const teamId = "bench-team";
    const available = accountId.available({ teamId });
    const afterConfirmation: number[] = [];
    const loads: number[] = [];
    for (let i = 0; i < DEPOSITS; i++) {
      const before = billing.ledger.balanceOf(available);
      const txHash = await billing.getTestSpon(teamId, parseEther("1"));
      const receipt = await billing.chain.public.waitForTransactionReceipt({ hash: txHash });
      // Mine up to the last confirmation ourselves (the ticker may mine it too: then we wait for no block).
      let head = await billing.chain.public.getBlockNumber();
      while (head < receipt.blockNumber + BigInt(config.confirmations - 1)) {
        await billing.chain.public.request({ method: "evm_mine" as never, params: [] as never });
        head = await billing.chain.public.getBlockNumber();
      }
      const confirmed = performance.now();
      while (billing.ledger.balanceOf(available) === before) await new Promise((r) => setTimeout(r, 2));
      afterConfirmation.push(performance.now() - confirmed);
      loads.push(loadavg()[0]!);
      // Start the next deposit at another point of the ticker's second.
      await new Promise((r) => setTimeout(r, 137 * (i % 7)));
    }
    console.log(`\n3. deposit credited on the devnet (${config.confirmations} confirmations, the host's watcher and block ticker), ${DEPOSITS} deposits:`);
    console.log(formatStats("  after its last confirmation", "ms", afterConfirmation, 0));
    console.log(`  load average: median ${median(loads).toFixed(2)}; target ≤ 1,000 ms: ${median(afterConfirmation) <= 1_000 ? "met" : "NOT met"} (median), worst ${Math.max(...afterConfirmation).toFixed(0)} ms`);
  } finally {
    await billing.stop();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const [role, ...args] = process.argv.slice(2);
if (role === "stub") runStub();
else if (role === "host") await runBenchHost(args[0]!, args[1] as BenchSetting);
else {
  const parts = (process.env.BILLING_BENCH ?? "metering,gateway,deposit").split(",");
  console.log(`load average at start: ${load()} (2 cores, shared)`);
  if (parts.includes("metering")) await meteringPostings();
  if (parts.includes("gateway")) await gatewayWithAndWithoutBilling(import.meta.url);
  if (parts.includes("deposit")) await depositCredited();
  console.log(`\nload average at end: ${load()}`);
}
