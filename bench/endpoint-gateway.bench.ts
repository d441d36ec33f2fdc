/**
 * Model endpoints through the gateway (issue 12's goals):
 * - `/v1` through an endpoint vs calling the node's lease server directly: the median latency
 *   the gateway adds (goal ≤ 1 ms) and requests per second at 8 clients (goal ≥ 1,500), with
 *   the CPU time each process spends per request (independent of the machine's load);
 * - Deploy → endpoint answering: `endpoint.create` until a chat through `/v1` answers (≤ 3 s);
 * - failover: kill -9 of the serving node until `/v1` answers again from the next lease
 *   (≤ 10 s), at the matchmaker's default heartbeat (1 s, down after 5 s).
 * Processes as `npm start` runs them: the Skyloom host (with its matchmaker) bundled by esbuild
 * as server/build-host.mjs bundles it, with NODE_ENV=production; node programs bundled as
 * build/host/marketplace-node.js, joining it with a team token; and this load generator.
 * ENDPOINT_BENCH_TSX=1 runs the children under tsx instead (slower per request).
 * ENDPOINT_BENCH_PROFILE=DIR writes CPU profiles of the host and the serving node there and
 * skips the deploy and failover runs; ENDPOINT_BENCH_GATEWAY_ONLY=1 skips them without profiles
 * (for back-to-back before/after runs of the gateway figures). Medians of several rounds, each
 * with the load average.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent, request, type RequestOptions } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { bundleAsProduction } from "./support/bundle";
import { formatStats, summarize } from "./support/stats";

const LATENCY_SAMPLES = 1000;
const ROUNDS = 5;
const SECONDS_PER_ROUND = 4;
const CLIENTS = 8;
const GOAL_ADDED_MS = 1;
const GOAL_RPS = 1500;
const PROFILE = process.env.ENDPOINT_BENCH_PROFILE;
const GATEWAY_ONLY = Boolean(PROFILE || process.env.ENDPOINT_BENCH_GATEWAY_ONLY);
const DEPLOY_RUNS = GATEWAY_ONLY ? 0 : 5;
const FAILOVER_RUNS = GATEWAY_ONLY ? 0 : 3;
// A tiny answer: the bench measures the path, not the development model's text.
const BODY = (model: string) => JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 4 });
const MODEL_ID = "Qwen/Qwen2.5-7B-Instruct";

type HostInfo = { url: string; key: string; slug: string; directBaseUrl: string; directKey: string; model: string; hostPid: number; servingNodePid: number };
type MoreInfo = { deploy: number[]; gaps: number[] };

// ---------------------------------------------------------------- child: the host and its nodes
async function runHost(nodeScript: string[]): Promise<void> {
  const { startSkyloom } = await import("#server/index");
  const { sessionCaller } = await import("../test/support/session-caller");
  const skyloom = await startSkyloom({ DATA_DIR: mkdtempSync(join(tmpdir(), "skyloom-bench-ep-")), PORT: "0", SEED_DEMO: "false", SKYLOOM_MARKETPLACE_NODES: "0" }, { pages: false });
  const url = skyloom.url.replace("localhost", "127.0.0.1");
  const alice = sessionCaller(skyloom.services).trpc;
  await alice.auth.signup({ email: "bench@example.com", password: "correct-horse-battery", name: "Bench" });
  const { token: joinToken } = await alice.node.joinTokens.create({ name: "bench" });
  const key = (await alice.apiKey.create({ name: "bench", kind: "secret" })).token;
  const nodes: { name: string; child: ChildProcess }[] = [];
  // However the host ends, its nodes end with it (no node left running after the bench).
  process.once("exit", () => nodes.forEach((n) => n.child.kill("SIGTERM")));
  const node = (name: string, percent: number) => startNode(nodeScript, `${url}/market/v1`, joinToken, name, percent).then((n) => (nodes.push(n), n));
  await node("p1", 80);
  await node("p2", 95);
  const ask = async (slug: string) => {
    const res = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: BODY(slug) });
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const untilReady = async (id: string) => {
    while ((await alice.endpoint.get({ id })).status !== "ready") await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const create = () => alice.endpoint.create({ modelId: MODEL_ID, durationHours: 1, idleMinutes: null, gpu: "a10", mode: "provider" });

  // The endpoint the load goes to, first: the gateway figures do not wait for the slower runs.
  const e = await create();
  await untilReady(e.id);
  const teamId = (await alice.team.list()).find((t) => t.active)!.id;
  const direct = await skyloom.services.endpoints.serving(teamId, e.id, {});
  // A failover during the load would spoil the figures: say when and why one happens.
  void (async () => {
    const ref = { teamId, deploymentId: (await alice.endpoint.get({ id: e.id })).deploymentId! };
    for await (const event of skyloom.services.marketplace.events(ref, {})) {
      if (/Failed|Closed|NodeDown/.test(event.type)) console.error(`  [host] ${event.type} ${JSON.stringify(event.data).slice(0, 300)}`);
    }
  })();
  const servingName = (await alice.endpoint.get({ id: e.id })).node?.name;
  const servingNode = nodes.find((n) => n.name === servingName);
  const info: HostInfo = { url, key, slug: e.slug, directBaseUrl: direct.baseUrl, directKey: direct.apiKey, model: direct.model, hostPid: process.pid, servingNodePid: servingNode?.child.pid ?? 0 };
  console.log(JSON.stringify(info));
  await new Promise((resolve) => process.once("message", resolve));
  if (GATEWAY_ONLY) process.exit(0); // --cpu-prof writes the profiles at a normal exit (the exit handler above stops the nodes)
  await alice.endpoint.delete({ id: e.id });

  const deploy: number[] = [];
  for (let i = 0; i < DEPLOY_RUNS; i++) {
    const started = performance.now();
    const d = await create();
    await untilReady(d.id);
    await ask(d.slug);
    deploy.push(performance.now() - started);
    await alice.endpoint.delete({ id: d.id });
  }
  const gaps: number[] = [];
  for (let i = 0; i < FAILOVER_RUNS; i++) {
    const victim = await node(`victim-${i}`, 50);
    const f = await create();
    await untilReady(f.id);
    if ((await alice.endpoint.get({ id: f.id })).node?.name !== victim.name) throw new Error("the cheapest node did not win");
    await ask(f.slug);
    const killed = performance.now();
    victim.child.kill("SIGKILL");
    await ask(f.slug);
    gaps.push(performance.now() - killed);
    await alice.endpoint.delete({ id: f.id });
  }
  console.log(JSON.stringify({ deploy, gaps } satisfies MoreInfo));
  let stopping = false;
  process.on("SIGTERM", () => {
    if (stopping) return;
    stopping = true;
    for (const n of nodes) n.child.kill("SIGTERM");
    void skyloom
      .close()
      .catch((error: unknown) => console.error("the host did not close cleanly:", error))
      .finally(() => process.exit(0));
  });
}

/** A node program as its own process (as the host's embedded nodes run), once it joined. */
async function startNode(script: string[], joinUrl: string, token: string, name: string, percent: number): Promise<{ name: string; child: ChildProcess }> {
  const profile = PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`] : [];
  const args = ["--join", joinUrl, "--token", token, "--kind", "provider", "--name", name, "--gpu", "a10:8", "--price-percent", String(percent)];
  const child = spawn(process.execPath, [...profile, ...script, ...args], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  await new Promise<void>((resolve, reject) => {
    // The node's own lines (leases won, closed, failed) go to the bench's stderr.
    createInterface({ input: child.stdout! }).on("line", (line) => (line.includes(" joined as ") ? resolve() : console.error(`  [${name}] ${line}`)));
    child.once("exit", (code) => reject(new Error(`node ${name} exited with ${code}`)));
  });
  return { name, child };
}

// ---------------------------------------------------------------- parent: the load generator
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One target's request, prepared once: the load generator's own CPU per request stays small (it shares the 2 cores). */
type Target = { url: string; options: RequestOptions; body: string };

function target(url: string, key: string, body: string): Target {
  const { hostname, port, pathname } = new URL(url);
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) };
  return { url, options: { method: "POST", host: hostname, port, path: pathname, agent, headers }, body };
}

function post(to: Target): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(to.options, (res) => {
      res.resume();
      res.once("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode} from ${to.url}`))));
    });
    req.once("error", (error) => reject(new Error(`POST ${to.url}: ${error.message}`)));
    req.end(to.body);
  });
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

type Round = { rps: number; load: number; cpuPerRequestMs: { host: number; node: number; generator: number } };

async function throughput(to: Target, pids: { host: number; node: number }): Promise<Round> {
  const before = { host: cpuMs(pids.host), node: cpuMs(pids.node), generator: process.cpuUsage() };
  const until = performance.now() + SECONDS_PER_ROUND * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        await post(to);
        done += 1;
      }
    }),
  );
  const generator = process.cpuUsage(before.generator);
  const per = (ms: number) => ms / done;
  return {
    rps: done / SECONDS_PER_ROUND,
    load: loadavg()[0]!,
    cpuPerRequestMs: { host: per(cpuMs(pids.host) - before.host), node: per(cpuMs(pids.node) - before.node), generator: per((generator.user + generator.system) / 1000) },
  };
}

/**
 * The children run this file bundled as `npm start` runs the host (support/bundle.ts), not
 * under tsx, whose keep-names wrappers and module hooks cost per request.
 */
async function bundles(): Promise<{ host: string[]; node: string[] }> {
  if (process.env.ENDPOINT_BENCH_TSX) return { host: ["--import", "tsx", fileURLToPath(import.meta.url)], node: ["--import", "tsx", fileURLToPath(new URL("../server/marketplace/node/main.ts", import.meta.url))] };
  const outdir = await bundleAsProduction("", { "endpoint-gateway.bench": fileURLToPath(import.meta.url), "marketplace-node": fileURLToPath(new URL("../server/marketplace/node/main.ts", import.meta.url)) }, ".mjs");
  return { host: [join(outdir, "endpoint-gateway.bench.mjs")], node: [join(outdir, "marketplace-node.mjs")] };
}

const progress = (line: string) => console.error(`  … ${line} (load ${loadavg()[0]!.toFixed(2)})`);
const load = () => `load average ${loadavg().map((n) => n.toFixed(2)).join(" ")}`;
const verdict = (met: boolean) => (met ? "goal met" : "goal NOT met");

async function main(): Promise<void> {
  const scripts = await bundles();
  const profile = PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, ...scripts.host, "--host", JSON.stringify(scripts.node)], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  // However this process ends (a failed request included), the host ends with it.
  process.once("exit", () => child.exitCode === null && child.kill("SIGTERM"));
  const lines = createInterface({ input: child.stdout! });
  const nextJson = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onLine = (l: string) => {
        if (!l.startsWith("{")) return;
        lines.off("line", onLine);
        resolve(JSON.parse(l) as T);
      };
      lines.on("line", onLine);
      child.once("exit", (code) => reject(new Error(`the host exited with ${code}`)));
    });
  progress("starting the host and two nodes, deploying an endpoint");
  const info = await nextJson<HostInfo>();
  const gatewayTarget = target(`${info.url}/v1/chat/completions`, info.key, BODY(info.slug));
  const directTarget = target(`${info.directBaseUrl}/chat/completions`, info.directKey, BODY(info.model));
  const viaGateway = () => post(gatewayTarget);
  const direct = () => post(directTarget);
  progress("warming up");
  for (let i = 0; i < 300; i++) await Promise.all([viaGateway(), direct()]);

  progress(`${LATENCY_SAMPLES} sequential requests each way, interleaved`);
  const gatewayMs: number[] = [];
  const directMs: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    // Interleaved, so both see the same machine.
    gatewayMs.push(await viaGateway());
    directMs.push(await direct());
  }
  const latencyLoad = load();
  const pids = { host: info.hostPid, node: info.servingNodePid };
  const gatewayRounds: Round[] = [];
  const directRounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    progress(`throughput round ${r + 1} of ${ROUNDS}`);
    gatewayRounds.push(await throughput(gatewayTarget, pids));
    directRounds.push(await throughput(directTarget, { host: 0, node: pids.node }));
  }

  const added = summarize(gatewayMs).median - summarize(directMs).median;
  const gatewayRps = summarize(gatewayRounds.map((r) => r.rps)).median;
  const directRps = summarize(directRounds.map((r) => r.rps)).median;
  const cpu = (rounds: Round[], who: keyof Round["cpuPerRequestMs"]) => summarize(rounds.map((r) => r.cpuPerRequestMs[who])).median.toFixed(3);
  console.log(formatStats("request latency, /v1 through the endpoint", "ms", gatewayMs, 2));
  console.log(formatStats("request latency, the node's lease server directly", "ms", directMs, 2));
  console.log(`median added by the gateway: ${added.toFixed(2)} ms (goal ≤ ${GOAL_ADDED_MS} ms: ${verdict(added <= GOAL_ADDED_MS)}; ${latencyLoad})`);
  for (const [label, rounds] of [["/v1 through the endpoint", gatewayRounds], ["the lease server directly", directRounds]] as const) {
    console.log(`throughput at ${CLIENTS} clients, ${label}: ${rounds.map((r) => `${r.rps.toFixed(0)} req/s (load ${r.load.toFixed(2)})`).join(", ")}`);
  }
  console.log(`median throughput at ${CLIENTS} clients: through the endpoint ${gatewayRps.toFixed(0)} req/s (goal ≥ ${GOAL_RPS}: ${verdict(gatewayRps >= GOAL_RPS)}), directly ${directRps.toFixed(0)} req/s`);
  console.log(
    `CPU time per request (medians of the rounds; load-independent): through the endpoint host ${cpu(gatewayRounds, "host")} ms + node ${cpu(gatewayRounds, "node")} ms + load generator ${cpu(gatewayRounds, "generator")} ms; ` +
      `directly node ${cpu(directRounds, "node")} ms + load generator ${cpu(directRounds, "generator")} ms`,
  );
  const hostCpu = Number(cpu(gatewayRounds, "host"));
  console.log(`  → the host alone could serve about ${(1000 / hostCpu).toFixed(0)} req/s on one core; all three processes need ${(Number(cpu(gatewayRounds, "host")) + Number(cpu(gatewayRounds, "node")) + Number(cpu(gatewayRounds, "generator"))).toFixed(3)} ms of CPU per request (2 cores here, shared)`);

  if (GATEWAY_ONLY) {
    child.send("exit");
    await new Promise((resolve) => child.once("exit", resolve));
    if (PROFILE) console.log(`CPU profiles of the host and the nodes: ${PROFILE}`);
    return;
  }
  progress(`deploy (${DEPLOY_RUNS} runs) and failover (${FAILOVER_RUNS} runs)`);
  child.send("more");
  const more = await nextJson<MoreInfo>();
  if (more.deploy.length > 0) console.log(formatStats("Deploy (endpoint.create) → answering through /v1", "ms", more.deploy, 0));
  if (more.gaps.length > 0) console.log(formatStats("failover gap (kill -9 → /v1 answering again)", "ms", more.gaps, 0));
  console.log(`${load()} (2 cores, shared)`);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
}

const hostAt = process.argv.indexOf("--host");
if (hostAt !== -1) await runHost(JSON.parse(process.argv[hostAt + 1]!) as string[]);
else {
  await main();
  process.exit(0);
}
