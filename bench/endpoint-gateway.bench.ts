/**
 * Model endpoints through the gateway (issue 12's goals):
 * - `/v1` through an endpoint vs calling the node's lease server directly: the median latency
 *   the gateway adds (goal ≤ 1 ms) and requests per second at 8 clients (goal ≥ 1,500);
 * - Deploy → endpoint answering: `endpoint.create` until a chat through `/v1` answers (≤ 3 s);
 * - failover: kill -9 of the serving node until `/v1` answers again from the next lease
 *   (≤ 10 s), at the matchmaker's default heartbeat (1 s, down after 5 s).
 * Processes: the Skyloom host (with its matchmaker) in a child, node programs as their own
 * processes joining it with a team token, and this load generator. The host runs under tsx
 * here (bench/gateway.bench.ts bundles it; tsx adds a little per request). Medians of several
 * runs, with the load average (the machine is shared).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { formatStats, summarize } from "./support/stats";

const LATENCY_SAMPLES = 400;
const ROUNDS = 3;
const SECONDS_PER_ROUND = 4;
const CLIENTS = 8;
// ENDPOINT_BENCH_PROFILE=DIR: only the load, with a CPU profile of the host written there.
const PROFILE = process.env.ENDPOINT_BENCH_PROFILE;
const DEPLOY_RUNS = PROFILE ? 0 : 5;
const FAILOVER_RUNS = PROFILE ? 0 : 3;
const BODY = (model: string) => JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] });

// ---------------------------------------------------------------- child: the host and its nodes
async function runHost(): Promise<void> {
  const { startSkyloom } = await import("#server/index");
  const { sessionCaller } = await import("../test/support/session-caller");
  const { startNodeProcess } = await import("../test/server/marketplace/support");
  const skyloom = await startSkyloom({ DATA_DIR: mkdtempSync(join(tmpdir(), "skyloom-bench-ep-")), PORT: "0", SEED_DEMO: "false", SKYLOOM_MARKETPLACE_NODES: "0" }, { pages: false });
  const url = skyloom.url.replace("localhost", "127.0.0.1");
  const alice = sessionCaller(skyloom.services).trpc;
  await alice.auth.signup({ email: "bench@example.com", password: "correct-horse-battery", name: "Bench" });
  const { token: joinToken } = await alice.node.joinTokens.create({ name: "bench" });
  const key = (await alice.apiKey.create({ name: "bench", kind: "secret" })).token;
  const node = (name: string, percent: number) => startNodeProcess(`${url}/market/v1`, ["--kind", "provider", "--name", name, "--gpu", "a10:8", "--price-percent", String(percent)], { token: joinToken });
  const steady = [await node("p1", 80), await node("p2", 95)];
  const ask = async (slug: string) => {
    const res = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: BODY(slug) });
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const untilReady = async (id: string) => {
    while ((await alice.endpoint.get({ id })).status !== "ready") await new Promise((resolve) => setTimeout(resolve, 20));
  };

  const deploy: number[] = [];
  for (let i = 0; i < DEPLOY_RUNS; i++) {
    const started = performance.now();
    const e = await alice.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null, gpu: "a10", mode: "provider" });
    await untilReady(e.id);
    await ask(e.slug);
    deploy.push(performance.now() - started);
    await alice.endpoint.delete({ id: e.id });
  }
  const gaps: number[] = [];
  for (let i = 0; i < FAILOVER_RUNS; i++) {
    const victim = await node(`victim-${i}`, 50);
    const e = await alice.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null, gpu: "a10", mode: "provider" });
    await untilReady(e.id);
    if ((await alice.endpoint.get({ id: e.id })).node?.name !== victim.name) throw new Error("the cheapest node did not win");
    await ask(e.slug);
    const killed = performance.now();
    victim.child.kill("SIGKILL");
    await ask(e.slug);
    gaps.push(performance.now() - killed);
    await alice.endpoint.delete({ id: e.id });
  }

  const e = await alice.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null, gpu: "a10", mode: "provider" });
  await untilReady(e.id);
  const row = skyloom.services.endpoints.findBySlug((await alice.team.list()).find((t) => t.active)!.id, e.slug)!;
  const direct = await skyloom.services.endpoints.serving(row.teamId, row.id, {});
  console.log(JSON.stringify({ url, key, slug: e.slug, directBaseUrl: direct.baseUrl, directKey: direct.apiKey, model: direct.model, deploy, gaps }));
  process.once("SIGTERM", () => void Promise.all(steady.map((n) => n.stop())).finally(() => skyloom.close().finally(() => process.exit(0))));
}

// ---------------------------------------------------------------- parent: the load generator
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, key: string, body: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.once("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.once("error", reject);
    req.end(body);
  });
}

async function throughput(url: string, key: string, body: string): Promise<number> {
  const until = performance.now() + SECONDS_PER_ROUND * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (performance.now() < until) {
      await post(url, key, body);
      done += 1;
    }
  }));
  return done / SECONDS_PER_ROUND;
}

async function main(): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, [...(PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`] : []), "--import", "tsx", fileURLToPath(import.meta.url), "--host"], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (l) => l.startsWith("{") && resolve(l));
    child.once("exit", (code) => reject(new Error(`the host exited with ${code}`)));
  });
  const info = JSON.parse(line) as { url: string; key: string; slug: string; directBaseUrl: string; directKey: string; model: string; deploy: number[]; gaps: number[] };
  const viaGateway = () => post(`${info.url}/v1/chat/completions`, info.key, BODY(info.slug));
  const direct = () => post(`${info.directBaseUrl}/chat/completions`, info.directKey, BODY(info.model));
  for (let i = 0; i < 50; i++) await Promise.all([viaGateway(), direct()]);

  const gatewayMs: number[] = [];
  const directMs: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    // Interleaved, so both see the same machine.
    gatewayMs.push(await viaGateway());
    directMs.push(await direct());
  }
  const gatewayRps: number[] = [];
  const directRps: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    gatewayRps.push(await throughput(`${info.url}/v1/chat/completions`, info.key, BODY(info.slug)));
    directRps.push(await throughput(`${info.directBaseUrl}/chat/completions`, info.directKey, BODY(info.model)));
  }
  console.log(formatStats("request latency, /v1 through the endpoint", "ms", gatewayMs, 2));
  console.log(formatStats("request latency, the node's lease server directly", "ms", directMs, 2));
  console.log(`median added by the gateway: ${(summarize(gatewayMs).median - summarize(directMs).median).toFixed(2)} ms`);
  console.log(formatStats(`throughput at ${CLIENTS} clients, /v1 through the endpoint`, "req/s", gatewayRps, 0));
  console.log(formatStats(`throughput at ${CLIENTS} clients, the lease server directly`, "req/s", directRps, 0));
  console.log(formatStats("Deploy (endpoint.create) → answering through /v1", "ms", info.deploy, 0));
  console.log(formatStats("failover gap (kill -9 → /v1 answering again)", "ms", info.gaps, 0));
  console.log(`load average: ${loadavg().map((n) => n.toFixed(2)).join(" ")} (2 cores, shared)`);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
}

if (process.argv.includes("--host")) await runHost();
else {
  await main();
  process.exit(0);
}
