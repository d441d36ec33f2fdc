/**
 * The gateway half of bench/billing.bench.ts: a zero-latency stub model, three Skyloom hosts (billing
 * off, on, and on without the usage posting) in child processes, and alternating rounds of /v1/chat/completions against each.
 * The hosts' CPU time is read from /proc, so the CPU per request does not depend on what else the
 * shared machine runs; req/s does, hence the alternation.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatStats, summarize } from "./stats";

/** More rounds (BILLING_BENCH_ROUNDS) narrow the medians on a busy machine. */
const ROUNDS = Number(process.env.BILLING_BENCH_ROUNDS ?? 8);
const SECONDS_PER_ROUND = 4;
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

/**
 * The hosts compared: billing off; billing on; and billing on with the usage posting taken out
 * (the hold and quota check stay), so the ledger write in the run's transaction is measured
 * before and after in one run, as issue 13 states its goal.
 */
export type BenchSetting = "off" | "on" | "no-posting";
const SETTINGS: readonly BenchSetting[] = ["off", "on", "no-posting"];

/** A Skyloom host with one published agent and a secret key, as `setting` says; prints its URL, key and model. */
export async function runBenchHost(stubUrl: string, setting: BenchSetting): Promise<void> {
  const billing = setting === "off" ? "off" : "on";
  const { startSkyloom } = await import("#server/index");
  const { helloAgentGraph } = await import("#server/services/seed");
  const { sessionCaller } = await import("../../test/support/session-caller");
  const dir = mkdtempSync(join(tmpdir(), `skyloom-bench-billing-${billing}-`));
  const skyloom = await startSkyloom(
    { DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", OPENAI_BASE_URL: stubUrl, OPENAI_API_KEY: "stub-key", SKYLOOM_BILLING: billing, SKYLOOM_WELCOME_TEST_SPON: "1000" },
    { pages: false },
  );
  if (setting === "no-posting") {
    // Bench only: the run's settlement still calls the meter in its transaction, which now lets
    // the hold go and writes nothing (no ledger entry, no balance update, no rollup row).
    const meter = skyloom.services.billing.meter;
    meter.postRunUsage = (usage) => {
      meter.release(usage.hold);
      return 0n;
    };
  }
  const caller = sessionCaller(skyloom.services).trpc;
  await caller.auth.signup({ email: "bench@example.com", password: "correct-horse-battery" });
  const flow = await caller.flow.create({ name: "Bench Agent", graph: helloAgentGraph() });
  const agent = await caller.agent.publish({ flowId: flow.id, slug: "bench-agent" });
  const { token } = await caller.apiKey.create({ name: "bench", kind: "secret" });
  console.log(JSON.stringify({ url: skyloom.url.replace("localhost", "127.0.0.1"), key: token, model: agent.slug }));
  process.once("SIGTERM", () => void skyloom.close().finally(() => (rmSync(dir, { recursive: true, force: true }), process.exit(0))));
}

type Child = { child: ChildProcess; info: Record<string, string> };

function startChild(benchFile: string, args: string[]): Promise<Child> {
  const profileDir = process.env.BILLING_BENCH_PROFILE;
  const profile = profileDir && args[0] === "host" ? ["--cpu-prof", `--cpu-prof-dir=${join(profileDir, `host-billing-${args[2]}`)}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", fileURLToPath(benchFile), ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, info: JSON.parse(line) as Record<string, string> });
    });
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}: ${out}`)));
  });
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

async function round(host: Child): Promise<{ rps: number; errors: number; cpuMsPerRequest: number }> {
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
  await sleep(SECONDS_PER_ROUND * 1000);
  measuring = false;
  const cpu = cpuSeconds(host.child.pid!) - cpuBefore;
  const seconds = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  return { rps: done / seconds, errors, cpuMsPerRequest: (cpu * 1000) / Math.max(1, done) };
}

const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)} %`;

/** Part 2 of the billing bench: billing off vs on, alternating rounds in one run. */
export async function gatewayWithAndWithoutBilling(benchFile: string): Promise<void> {
  const stub = await startChild(benchFile, ["stub"]);
  const hosts = {
    off: await startChild(benchFile, ["host", stub.info.url!, "off"]),
    on: await startChild(benchFile, ["host", stub.info.url!, "on"]),
    "no-posting": await startChild(benchFile, ["host", stub.info.url!, "no-posting"]),
  };
  try {
    // The billed team's first request waits for its welcome grant to be credited.
    const warm = new Agent({ keepAlive: true });
    for (const h of Object.values(hosts)) {
      const status = await post(warm, new URL(`${h.info.url}/v1/chat/completions`), h.info.key!, JSON.stringify({ model: h.info.model, messages: [{ role: "user", content: "hi" }] }));
      if (status !== 200) throw new Error(`warm-up request answered ${status}`);
    }
    warm.destroy();
    // What each host spends with no request at all (the billed one follows its chain).
    const idle: Record<BenchSetting, number> = { off: 0, on: 0, "no-posting": 0 };
    for (const setting of SETTINGS) {
      const before = cpuSeconds(hosts[setting].child.pid!);
      await sleep(IDLE_SECONDS * 1000);
      idle[setting] = ((cpuSeconds(hosts[setting].child.pid!) - before) * 1000) / IDLE_SECONDS;
    }
    const rps: Record<BenchSetting, number[]> = { off: [], on: [], "no-posting": [] };
    const cpu: Record<BenchSetting, number[]> = { off: [], on: [], "no-posting": [] };
    const loads: number[] = [];
    let errors = 0;
    for (let i = 0; i < ROUNDS; i++) {
      // Each round starts with the next setting, so none always runs first or last.
      for (const setting of SETTINGS.map((_, j) => SETTINGS[(i + j) % SETTINGS.length]!)) {
        const r = await round(hosts[setting]);
        rps[setting].push(r.rps);
        cpu[setting].push(r.cpuMsPerRequest);
        errors += r.errors;
      }
      loads.push(loadavg()[0]!);
    }
    const m = (xs: number[]) => summarize(xs).median;
    // Per round pair: the same moment's load hits both settings.
    const ratios = rps.on.map((on, i) => on / rps.off[i]!);
    console.log(`\n2. gateway, ${CONCURRENCY} clients, ${ROUNDS} rounds of ${SECONDS_PER_ROUND} s per setting, alternating (load average: median ${m(loads).toFixed(2)}, ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}):`);
    console.log(formatStats("  billing off", "req/s", rps.off, 0));
    console.log(formatStats("  billing on (hold + usage posted in the run's transaction)", "req/s", rps.on, 0));
    console.log(formatStats("  on/off req/s, round by round", "", ratios, 3));
    console.log(formatStats("  host CPU per request, billing off", "ms", cpu.off, 3));
    console.log(formatStats("  host CPU per request, billing on", "ms", cpu.on, 3));
    console.log(`  host CPU with no requests: billing off ${idle.off.toFixed(1)} ms/s, billing on ${idle.on.toFixed(1)} ms/s (the chain watcher and the devnet's block ticker)`);
    // The background (chain watcher, timers) spread over a round's requests, taken out round by
    // round: at the few req/s of a loaded machine it would otherwise outweigh the request path.
    const path = (setting: BenchSetting) => cpu[setting].map((c, i) => c - idle[setting] / rps[setting][i]!);
    const pathOff = m(path("off"));
    const pathOn = m(path("on"));
    console.log(formatStats("  request path alone (host CPU per request less the idle background), billing off", "ms", path("off"), 3));
    console.log(formatStats("  request path alone, billing on", "ms", path("on"), 3));
    console.log(`  cost of billing (target ≤ 5 %): ${pct(pathOn, pathOff)} host CPU per request on the request path (${pathOff.toFixed(3)} → ${pathOn.toFixed(3)} ms),`);
    console.log(`    ${pct(m(cpu.on), m(cpu.off))} with the background (${m(cpu.off).toFixed(3)} → ${m(cpu.on).toFixed(3)} ms); by req/s: ${((1 - m(ratios)) * 100).toFixed(1)} % (median of round-by-round ratios), ${((1 - m(rps.on) / m(rps.off)) * 100).toFixed(1)} % (medians); errors: ${errors}`);
    // The goal's own measure: the same billed host with and without the usage posting.
    const postingRatios = rps.on.map((on, i) => on / rps["no-posting"][i]!);
    const pathNoPosting = m(path("no-posting"));
    console.log(formatStats("  billing on without the usage posting (hold and quota check only)", "req/s", rps["no-posting"], 0));
    console.log(formatStats("  with/without the usage posting req/s, round by round", "", postingRatios, 3));
    console.log(
      `  cost of the ledger write in the run's transaction (target ≤ 5 % of throughput): ${((1 - m(postingRatios)) * 100).toFixed(1)} % by req/s (median of round-by-round ratios), ` +
        `${pct(pathOn, pathNoPosting)} host CPU per request on the request path (${pathNoPosting.toFixed(3)} → ${pathOn.toFixed(3)} ms)`,
    );
  } finally {
    const hostChildren = Object.values(hosts).map((h) => h.child);
    for (const child of [...hostChildren, stub.child]) child.kill("SIGTERM");
    await Promise.all(hostChildren.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
  }
}
