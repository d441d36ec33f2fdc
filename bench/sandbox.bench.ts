/**
 * Whether user code can stall the host: /healthz latency (p50, p99) while 8 clients hammer a
 * published agent whose code tool never ends, through /v1/chat/completions. Goal: p99 under
 * 50 ms. Each scenario is a different endless tool (a plain loop QuickJS interrupts itself,
 * built-in calls back to back, one built-in call that runs for minutes and so needs its worker
 * thread terminated); the idle row is /healthz with no load. Reports the median of the rounds,
 * how the tool calls ended, and the load average (the machine may be shared).
 *
 * Two processes: the Skyloom host (bundled by esbuild like `npm start`'s, with the sandbox
 * worker beside it, and its local development model, which calls a tool the message names)
 * and this load generator.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleAsProduction } from "./support/bundle";
import { codeToolsAgentGraph } from "../test/fixtures/agent-graphs";
import { summarize } from "./support/stats";

const ROUNDS = 5;
const SECONDS_PER_ROUND = 4;
const CLIENTS = 8;
const HEALTH_EVERY_MS = 10;
const GOAL_P99_MS = 50;

const SCENARIOS = [
  { name: "idle (no load)", tool: null },
  { name: "control: agent answers without a tool", tool: "nothing", code: null },
  { name: "while (true) {}", tool: "looper", code: "while (true) {}" },
  { name: "built-ins back to back", tool: "stringifier", code: "for (;;) { JSON.stringify(new Array(1e5).fill(1)); }" },
  { name: "one endless built-in", tool: "searcher", code: "const h = 'a'.repeat(2e5); return h.indexOf('a'.repeat(1e5) + 'b');" },
] as const;

// ---------------------------------------------------------------- child: the Skyloom host
async function runHost(): Promise<void> {
  const { startSkyloom } = await import("#server/index");
  const { createContext } = await import("#server/trpc/context");
  const { createCaller } = await import("#server/trpc/root");
  const dir = mkdtempSync(join(tmpdir(), "skyloom-bench-sandbox-"));
  const skyloom = await startSkyloom({ DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", SKYLOOM_BILLING: "off", SKYLOOM_MARKETPLACE_NODES: "0" }, { pages: false });
  let token: string | undefined;
  const cookies = { set: (t: string) => void (token = t), clear: () => void (token = undefined) };
  const caller = () => createCaller(createContext(skyloom.services, { sessionToken: token, clientIp: "127.0.0.1", cookies }));
  await caller().auth.signup({ email: "bench@example.com", password: "correct-horse-battery", name: "Bench" });
  const tools = SCENARIOS.flatMap((s) => (s.tool && s.code ? [{ name: s.tool, code: s.code, timeoutMs: 500 }] : []));
  const flow = await caller().flow.create({ name: "Spinning Agent", graph: codeToolsAgentGraph(tools) });
  const agent = await caller().agent.publish({ flowId: flow.id, slug: "spinning-agent" });
  const { token: key } = await caller().apiKey.create({ name: "bench", kind: "secret" });
  console.log(JSON.stringify({ url: skyloom.url.replace("localhost", "127.0.0.1"), key, model: agent.slug }));
  process.once("SIGTERM", () =>
    void skyloom.close().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }),
  );
}

// ---------------------------------------------------------------- parent: the load generator
/** The host runs as production runs it: bundled, with the worker entry beside the bundle. */
async function bundleSelf(): Promise<string> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const outdir = await bundleAsProduction("sandbox", { "sandbox.bench": fileURLToPath(import.meta.url), "sandbox-worker": join(root, "server", "sandbox", "worker.ts") });
  return join(outdir, "sandbox.bench.js");
}

function startHost(script: string): Promise<{ child: ChildProcess; info: { url: string; key: string; model: string } }> {
  const child = spawn(process.execPath, [script, "host"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, info: JSON.parse(line) as { url: string; key: string; model: string } });
    });
    child.once("exit", (code) => reject(new Error(`the host exited with ${code}: ${out}`)));
  });
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function getMs(agent: Agent, url: URL): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`/healthz ${res.statusCode}`))));
    })
      .on("error", reject)
      .end();
  });
}

const percentile = (samples: number[], q: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;

type Round = { p50: number; p99: number; max: number; healthChecks: number; mainThreadCpu: number; outcomes: Map<string, number> };

/** CPU seconds (user + system) the host's main thread (its tid is the pid) has used so far. */
function mainThreadCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** How an answer's tool call ended, from the dev model's "Tool results: … returned …" line. */
function outcomeOf(status: number, text: string): string {
  if (status !== 200) return `HTTP ${status}`;
  if (text.includes("(time limit)")) return "time limit";
  if (text.includes("is busy")) return "busy";
  if (text.includes("memory limit")) return "memory limit";
  return text.includes("returned Error") ? "other tool error" : "other answer";
}

async function round(info: { url: string; key: string; model: string }, pid: number, tool: string | null): Promise<Round> {
  const health = new URL(`${info.url}/healthz`);
  const completions = new URL(`${info.url}/v1/chat/completions`);
  const clientAgent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const healthAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const outcomes = new Map<string, number>();
  let stop = false;
  const body = JSON.stringify({ model: info.model, messages: [{ role: "user", content: `Please use ${tool}` }] });
  const client = async () => {
    while (!stop && tool) {
      const { status, text } = await post(clientAgent, completions, { authorization: `Bearer ${info.key}` }, body);
      const outcome = outcomeOf(status, text);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  await new Promise((r) => setTimeout(r, 1_000)); // the tools are running and the queue is full
  const latencies: number[] = [];
  const cpuBefore = mainThreadCpuSeconds(pid);
  const started = performance.now();
  const until = started + SECONDS_PER_ROUND * 1000;
  while (performance.now() < until) {
    latencies.push(await getMs(healthAgent, health));
    await new Promise((r) => setTimeout(r, HEALTH_EVERY_MS));
  }
  const mainThreadCpu = (mainThreadCpuSeconds(pid) - cpuBefore) / ((performance.now() - started) / 1000);
  stop = true;
  await Promise.all(clients);
  clientAgent.destroy();
  healthAgent.destroy();
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: Math.max(...latencies), healthChecks: latencies.length, mainThreadCpu, outcomes };
}

async function main(): Promise<void> {
  const script = await bundleSelf();
  const host = await startHost(script);
  const fmt = (n: number) => n.toFixed(1);
  console.log(`/healthz every ${HEALTH_EVERY_MS} ms while ${CLIENTS} clients call /v1 with a code tool that never ends (limit 500 ms);`);
  console.log(`${ROUNDS} rounds of ${SECONDS_PER_ROUND} s per scenario, median of the rounds' figures; goal: p99 < ${GOAL_P99_MS} ms`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(", ")} (${(await import("node:os")).availableParallelism()} CPUs)`);
  try {
    for (const scenario of SCENARIOS) {
      const rounds: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) rounds.push(await round(host.info, host.child.pid as number, scenario.tool));
      const med = (pick: (r: Round) => number) => summarize(rounds.map(pick)).median;
      const p99 = med((r) => r.p99);
      const outcomes = new Map<string, number>();
      for (const r of rounds) for (const [k, v] of r.outcomes) outcomes.set(k, (outcomes.get(k) ?? 0) + v);
      const calls = [...outcomes].map(([k, v]) => `${k} ${v}`).join(", ");
      console.log(
        `  ${scenario.name}: /healthz p50 ${fmt(med((r) => r.p50))} ms, p99 ${fmt(p99)} ms (rounds' p99 ${rounds.map((r) => fmt(r.p99)).join(" / ")}), ` +
          `max ${fmt(med((r) => r.max))} ms, ${med((r) => r.healthChecks)} checks per round, host main thread busy ${(med((r) => r.mainThreadCpu) * 100).toFixed(0)}%; ${p99 < GOAL_P99_MS ? "meets" : "MISSES"} the goal` +
          (calls ? `; tool calls: ${calls}` : ""),
      );
    }
  } finally {
    host.child.kill("SIGTERM");
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(", ")}`);
}

if (process.argv[2] === "host") await runHost();
else await main();
