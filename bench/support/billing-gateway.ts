/**
 * The gateway half of bench/billing.bench.ts: a zero-latency stub model, two Skyloom hosts
 * (billing off and on) in child processes, and alternating rounds of /v1/chat/completions. The
 * billed host's usage posting can be switched off between rounds, which measures the ledger
 * write alone. The hosts' CPU time is read from /proc, so the CPU per request does not depend on
 * what else the shared machine runs; req/s does, hence the alternation.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { bundleAsProduction } from "./bundle";
import { formatStats, summarize } from "./stats";

/** More rounds (BILLING_BENCH_ROUNDS, BILLING_BENCH_PAIRS) narrow the medians on a busy machine. */
const ROUNDS = Number(process.env.BILLING_BENCH_ROUNDS ?? 6);
const SECONDS_PER_ROUND = 4;
const PAIRS = Number(process.env.BILLING_BENCH_PAIRS ?? 20);
const SECONDS_PER_PAIR_ROUND = 4;
const CONCURRENCY = 8;
const IDLE_SECONDS = 5;

/** The upstream model: answers every chat completion at once with the same JSON. */
export function runStub(): void {
  const json = JSON.stringify({ id: "x", object: "chat.completion", created: 0, model: "stub", choices: [{ index: 0, message: { role: "assistant", content: "Hello from the stub." }, finish_reason: "stop" }], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } });
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
      res.end(json);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` })));
}

/** The hosts compared: billing off, and billing on (the embedded devnet, the team funded by its welcome grant). */
export type BenchSetting = "off" | "on";

/**
 * A Skyloom host with one published agent and a secret key, as `setting` says; prints its URL,
 * key and model. The billed host also reads "posting off" / "posting on" lines on stdin: off
 * takes the usage posting out of the run's settlement (bench only; the hold and quota check
 * stay), so the ledger write is measured before and after in one process, as issue 13 asks.
 */
export async function runBenchHost(stubUrl: string, setting: BenchSetting): Promise<void> {
  const { startSkyloom } = await import("#server/index");
  const { helloAgentGraph } = await import("#server/services/seed");
  const { sessionCaller } = await import("../../test/support/session-caller");
  const dir = mkdtempSync(join(tmpdir(), `skyloom-bench-billing-${setting}-`));
  const skyloom = await startSkyloom(
    { DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", SKYLOOM_MARKETPLACE_NODES: "0", OPENAI_BASE_URL: stubUrl, OPENAI_API_KEY: "stub-key", SKYLOOM_BILLING: setting, SKYLOOM_WELCOME_TEST_SPON: "1000" },
    { pages: false },
  );
  if (setting === "on") {
    const meter = skyloom.services.billing.meter;
    const postRunsUsage = meter.postRunsUsage.bind(meter);
    // Without the posting the settlement still calls the meter in its transaction, which lets
    // the holds go and writes nothing (no ledger entry, no balance update, no rollup row).
    const withoutPosting: typeof meter.postRunsUsage = (usages) =>
      usages.map((usage) => {
        meter.release(usage.hold);
        return 0n;
      });
    createInterface({ input: process.stdin }).on("line", (line) => {
      meter.postRunsUsage = line === "posting off" ? withoutPosting : postRunsUsage;
      console.log(JSON.stringify({ posting: line !== "posting off" }));
    });
  }
  const caller = sessionCaller(skyloom.services).trpc;
  await caller.auth.signup({ email: "bench@example.com", password: "correct-horse-battery" });
  const flow = await caller.flow.create({ name: "Bench Agent", graph: helloAgentGraph() });
  const agent = await caller.agent.publish({ flowId: flow.id, slug: "bench-agent" });
  const { token } = await caller.apiKey.create({ name: "bench", kind: "secret" });
  console.log(JSON.stringify({ url: skyloom.url.replace("localhost", "127.0.0.1"), key: token, model: agent.slug }));
  process.once("SIGTERM", () => void skyloom.close().finally(() => (rmSync(dir, { recursive: true, force: true }), process.exit(0))));
}

type Child = { child: ChildProcess; info: Record<string, string>; nextLine: () => Promise<string> };

/**
 * The bench file bundled as server/build-host.mjs bundles the host for `npm start`, so the hosts
 * run the code production runs (BILLING_BENCH_TSX=1: under tsx instead).
 */
async function childScript(benchFile: string): Promise<string[]> {
  if (process.env.BILLING_BENCH_TSX) return ["--import", "tsx", fileURLToPath(benchFile)];
  const outdir = await bundleAsProduction("billing", { "billing.bench": fileURLToPath(benchFile) }, ".mjs");
  return [join(outdir, "billing.bench.mjs")];
}

function startChild(script: string[], args: string[]): Promise<Child> {
  const profileDir = process.env.BILLING_BENCH_PROFILE;
  const profile = profileDir && args[0] === "host" ? ["--cpu-prof", `--cpu-prof-dir=${join(profileDir, `host-billing-${args[2]}`)}`] : [];
  const child = spawn(process.execPath, [...profile, ...script, ...args], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, NODE_ENV: "production" } });
  // However the bench ends, its children end with it.
  process.once("exit", () => child.exitCode === null && child.kill("SIGTERM"));
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (!line.startsWith("{")) return;
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const nextLine = () => new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiting.push(resolve)));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
    void nextLine().then((line) => resolve({ child, info: JSON.parse(line) as Record<string, string>, nextLine }));
  });
}

/** Turns the billed host's usage posting on or off, and waits until it has. */
async function setPosting(host: Child, on: boolean): Promise<void> {
  host.child.stdin!.write(on ? "posting on\n" : "posting off\n");
  const ack = JSON.parse(await host.nextLine()) as { posting: boolean };
  if (ack.posting !== on) throw new Error(`the host answered ${JSON.stringify(ack)} to posting ${on ? "on" : "off"}`);
}

function post(agent: Agent, url: URL, key: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function round(host: Child, seconds: number): Promise<{ rps: number; errors: number; cpuMsPerRequest: number }> {
  const url = new URL(`${host.info.url}/v1/chat/completions`);
  const body = JSON.stringify({ model: host.info.model, messages: [{ role: "user", content: "What is Skyloom?" }] });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let done = 0;
  let errors = 0;
  let measuring = false;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const status = await post(agent, url, host.info.key!, body).catch(() => 0);
      if (!measuring) continue;
      if (status === 200) done += 1;
      else errors += 1;
    }
  };
  const workers = Array.from({ length: CONCURRENCY }, worker);
  await sleep(500);
  measuring = true;
  const started = performance.now();
  const cpuBefore = cpuSeconds(host.child.pid!);
  await sleep(seconds * 1000);
  measuring = false;
  const cpu = cpuSeconds(host.child.pid!) - cpuBefore;
  const elapsed = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  return { rps: done / elapsed, errors, cpuMsPerRequest: (cpu * 1000) / Math.max(1, done) };
}

const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)} %`;
const m = (xs: number[]) => summarize(xs).median;

/** Part 2 of the billing bench: the gateway with and without billing, and with and without its ledger write, in one run. */
export async function gatewayWithAndWithoutBilling(benchFile: string): Promise<void> {
  const script = await childScript(benchFile);
  const stub = await startChild(script, ["stub"]);
  const hosts: Record<BenchSetting, Child> = {
    off: await startChild(script, ["host", stub.info.url!, "off"]),
    on: await startChild(script, ["host", stub.info.url!, "on"]),
  };
  try {
    // The billed team's first request waits for its welcome grant to be credited.
    const warm = new Agent({ keepAlive: true });
    for (const h of Object.values(hosts)) {
      const status = await post(warm, new URL(`${h.info.url}/v1/chat/completions`), h.info.key!, JSON.stringify({ model: h.info.model, messages: [{ role: "user", content: "hi" }] }));
      if (status !== 200) throw new Error(`warm-up request answered ${status}`);
    }
    warm.destroy();
    const idle = { off: await idleCpu(hosts.off), on: await idleCpu(hosts.on) };
    await billingOffAndOn(hosts, idle);
    await ledgerWriteCost(hosts.on, idle.on);
  } finally {
    const children = [hosts.off.child, hosts.on.child, stub.child];
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
  }
}

/** What a host spends with no request at all, in ms per second (the billed one follows its chain). */
async function idleCpu(host: Child): Promise<number> {
  const before = cpuSeconds(host.child.pid!);
  await sleep(IDLE_SECONDS * 1000);
  return ((cpuSeconds(host.child.pid!) - before) * 1000) / IDLE_SECONDS;
}

/**
 * Host CPU per request less the idle background spread over the round's requests: at the few
 * req/s of a loaded machine the chain watcher and timers would otherwise outweigh the request path.
 */
const requestPath = (cpuMs: number[], rps: number[], idleMsPerSecond: number) => cpuMs.map((c, i) => c - idleMsPerSecond / rps[i]!);

/** 2a. Billing off vs on: two hosts, alternating rounds so a change of the machine's load hits both. */
async function billingOffAndOn(hosts: Record<BenchSetting, Child>, idle: Record<BenchSetting, number>): Promise<void> {
  const rps: Record<BenchSetting, number[]> = { off: [], on: [] };
  const cpu: Record<BenchSetting, number[]> = { off: [], on: [] };
  const loads: number[] = [];
  let errors = 0;
  for (let i = 0; i < ROUNDS; i++) {
    for (const setting of i % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
      const r = await round(hosts[setting], SECONDS_PER_ROUND);
      rps[setting].push(r.rps);
      cpu[setting].push(r.cpuMsPerRequest);
      errors += r.errors;
    }
    loads.push(loadavg()[0]!);
  }
  const ratios = rps.on.map((on, i) => on / rps.off[i]!);
  const pathOff = requestPath(cpu.off, rps.off, idle.off);
  const pathOn = requestPath(cpu.on, rps.on, idle.on);
  console.log(`\n2a. gateway with billing off and on, ${CONCURRENCY} clients, ${ROUNDS} rounds of ${SECONDS_PER_ROUND} s per host, alternating (load average: median ${m(loads).toFixed(2)}, ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}):`);
  console.log(formatStats("  billing off", "req/s", rps.off, 0));
  console.log(formatStats("  billing on (quota check, hold, usage posted in the run's transaction)", "req/s", rps.on, 0));
  console.log(formatStats("  on/off req/s, round by round", "", ratios, 3));
  console.log(formatStats("  host CPU per request on the request path (less the idle background), billing off", "ms", pathOff, 3));
  console.log(formatStats("  host CPU per request on the request path, billing on", "ms", pathOn, 3));
  console.log(`  host CPU with no requests: billing off ${idle.off.toFixed(1)} ms/s, billing on ${idle.on.toFixed(1)} ms/s (the chain watcher and the devnet's block ticker)`);
  console.log(`  cost of billing as a whole: ${((1 - m(ratios)) * 100).toFixed(1)} % of req/s (median of round-by-round ratios), ${pct(m(pathOn), m(pathOff))} host CPU per request; errors: ${errors}`);
}

/**
 * 2b. The issue's measure: the ledger write in the run's transaction, before and after in one
 * run. The same billed host with its usage posting on and off, in pairs of short rounds (the
 * order flips each pair), so both sides share the process, its database, its chain and the
 * moment's load.
 */
async function ledgerWriteCost(host: Child, idleMsPerSecond: number): Promise<void> {
  const rps = { with: [] as number[], without: [] as number[] };
  const cpu = { with: [] as number[], without: [] as number[] };
  const loads: number[] = [];
  let errors = 0;
  for (let i = 0; i < PAIRS; i++) {
    for (const posting of i % 2 === 0 ? [true, false] : [false, true]) {
      await setPosting(host, posting);
      const r = await round(host, SECONDS_PER_PAIR_ROUND);
      if (process.env.BILLING_BENCH_VERBOSE) console.error(`  … pair ${i + 1}, posting ${posting ? "on " : "off"}: ${r.rps.toFixed(0)} req/s, ${r.cpuMsPerRequest.toFixed(3)} ms host CPU per request (load ${loadavg()[0]!.toFixed(2)})`);
      rps[posting ? "with" : "without"].push(r.rps);
      cpu[posting ? "with" : "without"].push(r.cpuMsPerRequest);
      errors += r.errors;
    }
    loads.push(loadavg()[0]!);
  }
  await setPosting(host, true);
  const ratios = rps.with.map((w, i) => w / rps.without[i]!);
  const pathWith = requestPath(cpu.with, rps.with, idleMsPerSecond);
  const pathWithout = requestPath(cpu.without, rps.without, idleMsPerSecond);
  const cost = 1 - m(ratios);
  console.log(`\n2b. the ledger write in the run's transaction: the billed host with and without its usage posting, ${PAIRS} pairs of ${SECONDS_PER_PAIR_ROUND} s rounds (load average: median ${m(loads).toFixed(2)}, ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}):`);
  console.log(formatStats("  without the usage posting (quota check and hold only)", "req/s", rps.without, 0));
  console.log(formatStats("  with the usage posting", "req/s", rps.with, 0));
  console.log(formatStats("  with/without req/s, pair by pair", "", ratios, 3));
  console.log(formatStats("  host CPU per request on the request path, without", "ms", pathWithout, 3));
  console.log(formatStats("  host CPU per request on the request path, with", "ms", pathWith, 3));
  console.log(
    `  cost of the ledger write (target ≤ 5 % of throughput): ${(cost * 100).toFixed(1)} % of req/s (median of pair-by-pair ratios), ` +
      `${pct(m(pathWith), m(pathWithout))} host CPU per request (${m(pathWithout).toFixed(3)} → ${m(pathWith).toFixed(3)} ms); errors: ${errors}; target ${cost <= 0.05 ? "met" : "NOT met"}`,
  );
}
