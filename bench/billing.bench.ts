/**
 * What billing costs (issue 13, ADR 030):
 *
 * 1. The gateway with and without billing, in one run: /v1/chat/completions throughput of the
 *    same 4-block agent against a zero-latency stub model, on a host with SKYLOOM_BILLING=off
 *    and on one with billing on (the embedded devnet, the team funded by its welcome grant):
 *    every request then holds its cost before it runs and its settlement posts the usage to the
 *    ledger and the daily rollup in the run's own transaction. Rounds alternate off/on so a
 *    change of the machine's load hits both; the target is ≤ 5 % fewer requests per second.
 * 2. Metering postings per second: the usage posting a run's settlement writes (hold released,
 *    cost computed, ledger entry, rollup row), group-committed 64 to a transaction as the run
 *    store does; target ≥ 10,000/s.
 *
 * Medians, with the load average (the machine is shared).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatStats, summarize } from "./support/stats";

const ROUNDS = 6;
const SECONDS_PER_ROUND = 4;
const CONCURRENCY = 8;

function runStub(): void {
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

async function runHost(stubUrl: string, billing: "on" | "off"): Promise<void> {
  const { startSkyloom } = await import("#server/index");
  const { helloAgentGraph } = await import("#server/services/seed");
  const { sessionCaller } = await import("../test/support/session-caller");
  const dir = mkdtempSync(join(tmpdir(), `skyloom-bench-billing-${billing}-`));
  const skyloom = await startSkyloom(
    { DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", OPENAI_BASE_URL: stubUrl, OPENAI_API_KEY: "stub-key", SKYLOOM_BILLING: billing, SKYLOOM_WELCOME_TEST_SPON: "1000" },
    { pages: false },
  );
  const caller = sessionCaller(skyloom.services).trpc;
  await caller.auth.signup({ email: "bench@example.com", password: "correct-horse-battery" });
  const flow = await caller.flow.create({ name: "Bench Agent", graph: helloAgentGraph() });
  const agent = await caller.agent.publish({ flowId: flow.id, slug: "bench-agent" });
  const { token } = await caller.apiKey.create({ name: "bench", kind: "secret" });
  console.log(JSON.stringify({ url: skyloom.url.replace("localhost", "127.0.0.1"), key: token, model: agent.slug }));
  process.once("SIGTERM", () => void skyloom.close().finally(() => (rmSync(dir, { recursive: true, force: true }), process.exit(0))));
}

function startChild(args: string[]): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), ...args], { stdio: ["ignore", "pipe", "inherit"] });
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

async function throughput(info: Record<string, string>, pid: number): Promise<{ rps: number; errors: number; cpuMsPerRequest: number }> {
  const url = new URL(`${info.url}/v1/chat/completions`);
  const body = JSON.stringify({ model: info.model, messages: [{ role: "user", content: "What is Skyloom?" }] });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let done = 0;
  let errors = 0;
  let measuring = false;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const status = await post(agent, url, info.key!, body).catch(() => 0);
      if (!measuring) continue;
      if (status === 200) done += 1;
      else errors += 1;
    }
  };
  const workers = Array.from({ length: CONCURRENCY }, worker);
  await new Promise((r) => setTimeout(r, 500));
  measuring = true;
  const started = performance.now();
  const cpuBefore = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, SECONDS_PER_ROUND * 1000));
  measuring = false;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const seconds = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  return { rps: done / seconds, errors, cpuMsPerRequest: (cpu * 1000) / Math.max(1, done) };
}

async function gatewayWithAndWithoutBilling(): Promise<void> {
  const stub = await startChild(["stub"]);
  const hosts = { off: await startChild(["host", stub.info.url!, "off"]), on: await startChild(["host", stub.info.url!, "on"]) };
  try {
    // The billed team's first request waits for its welcome grant to be credited.
    const warm = new Agent({ keepAlive: true });
    for (const h of Object.values(hosts)) {
      const status = await post(warm, new URL(`${h.info.url}/v1/chat/completions`), h.info.key!, JSON.stringify({ model: h.info.model, messages: [{ role: "user", content: "hi" }] }));
      if (status !== 200) throw new Error(`warm-up request answered ${status}`);
    }
    warm.destroy();
    // What each host spends with no request at all (the billed one polls its chain four times a second).
    const idle = { off: 0, on: 0 };
    for (const setting of ["off", "on"] as const) {
      const before = cpuSeconds(hosts[setting].child.pid!);
      await new Promise((r) => setTimeout(r, 3_000));
      idle[setting] = ((cpuSeconds(hosts[setting].child.pid!) - before) * 1000) / 3;
    }
    const rps = { off: [] as number[], on: [] as number[] };
    const cpu = { off: [] as number[], on: [] as number[] };
    let errors = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const setting of round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
        const r = await throughput(hosts[setting].info, hosts[setting].child.pid!);
        rps[setting].push(r.rps);
        cpu[setting].push(r.cpuMsPerRequest);
        errors += r.errors;
      }
    }
    console.log(`gateway, ${CONCURRENCY} clients, ${ROUNDS} rounds of ${SECONDS_PER_ROUND} s each, alternating:`);
    console.log(formatStats("  billing off", "req/s", rps.off, 0));
    console.log(formatStats("  billing on (hold + usage posted in the run's transaction)", "req/s", rps.on, 0));
    console.log(formatStats("  host CPU per request, billing off", "ms", cpu.off, 3));
    console.log(formatStats("  host CPU per request, billing on", "ms", cpu.on, 3));
    const off = summarize(rps.off).median;
    const on = summarize(rps.on).median;
    const cpuOff = summarize(cpu.off).median;
    const cpuOn = summarize(cpu.on).median;
    // On a shared machine throughput swings with other work; the host's CPU per request is what billing adds to it.
    // The background (chain polling) spread over the requests of a second, taken out to show the request path alone.
    const pathOff = cpuOff - idle.off / off;
    const pathOn = cpuOn - idle.on / on;
    console.log(`  host CPU with no requests: billing off ${idle.off.toFixed(1)} ms/s, billing on ${idle.on.toFixed(1)} ms/s (the chain watcher and the devnet's block ticker)`);
    console.log(`  request path alone (background taken out): off ${pathOff.toFixed(3)} ms, on ${pathOn.toFixed(3)} ms per request: ${(((pathOn - pathOff) / pathOn) * 100).toFixed(1)} %`);
    console.log(`  cost of billing: ${(((cpuOn - cpuOff) / cpuOn) * 100).toFixed(1)} % of the gateway's throughput by host CPU per request (target ≤ 5 %); by req/s medians ${(((off - on) / off) * 100).toFixed(1)} %; errors: ${errors}`);
  } finally {
    for (const child of [hosts.off.child, hosts.on.child, stub.child]) child.kill("SIGTERM");
  }
}

async function meteringPostings(): Promise<void> {
  const { openDatabase } = await import("#db/client");
  const { migrationsFolder } = await import("#db/root");
  const { accountId } = await import("#server/billing/accounts");
  const { createLedger } = await import("#server/billing/ledger");
  const { UsageMeter } = await import("#server/billing/metering");
  const { priceTableFrom } = await import("#server/billing/prices");
  const { helloAgentGraph } = await import("#server/services/seed");
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
    const rates: number[] = [];
    let run = 0;
    const settleGroup = database.sqlite.transaction((holds: { teamId: string; hold: ReturnType<typeof meter.reserve> }[]) => {
      for (const { teamId, hold } of holds) {
        run += 1;
        meter.postRunUsage({ runId: `run-${run}`, teamId, agentId: `agent-${run % 5}`, apiKeyId: `key-${run % 3}`, day: "2026-12-01", promptTokens: 12, completionTokens: 5, hold });
      }
    });
    for (let sample = 0; sample < 7; sample++) {
      const started = performance.now();
      for (let b = 0; b < BATCHES; b++) {
        const holds = Array.from({ length: GROUP }, (_, i) => {
          const teamId = teams[(b * GROUP + i) % teams.length]!;
          return { teamId, hold: meter.reserve({ teamId, apiKeyId: `key-${i % 3}`, graph, inputChars: 16 }) };
        });
        settleGroup(holds);
      }
      rates.push((BATCHES * GROUP) / ((performance.now() - started) / 1000));
    }
    // The bare ledger posting at the same moment, for reference (ADR 025's figure was taken at another load).
    const bare: number[] = [];
    let n = 0;
    const bareGroup = database.sqlite.transaction(() => {
      for (let i = 0; i < GROUP; i++) {
        const teamId = teams[n++ % teams.length]!;
        ledger.post({ key: `bare:${n}`, kind: "usage", teamId, lines: [{ account: accountId.available({ teamId }), amount: -7n }, { account: accountId.metered({ teamId }), amount: 7n }] });
      }
    });
    for (let sample = 0; sample < 7; sample++) {
      const started = performance.now();
      for (let b = 0; b < BATCHES; b++) bareGroup();
      bare.push((BATCHES * GROUP) / ((performance.now() - started) / 1000));
    }
    console.log(formatStats(`metering postings (hold + settle: ledger entry + rollup), ${GROUP} per group commit`, "postings/s", rates, 0));
    console.log(formatStats(`  for reference, bare ledger postings at the same time`, "postings/s", bare, 0));
    if (ledger.audit().length > 0) throw new Error("the ledger does not balance after the bench");
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const [role, ...args] = process.argv.slice(2);
if (role === "stub") runStub();
else if (role === "host") await runHost(args[0]!, args[1] as "on" | "off");
else {
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(" ")} (2 cores, shared)`);
  await meteringPostings();
  await gatewayWithAndWithoutBilling();
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}
