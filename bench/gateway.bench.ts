/**
 * Requests per second through /v1/chat/completions for a 4-block agent (Chat Input → Prompt →
 * Chat Model → Chat Output) against a zero-latency OpenAI-compatible stub, side by side with
 * calling the same stub directly, at 8 and 16 concurrent clients; request latency under that
 * load; the time to first streamed byte the gateway adds (median); errors; and whether the
 * host's memory stays flat: its resident size sampled through every round, and its live heap
 * (after a full collection) before and after all the load.
 *
 * Three processes, as in production: the stub, the Skyloom host (the real Express app with
 * the gateway and the agent runtime, without the Remix pages), and this load generator.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, Agent, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleAsProduction } from "./support/bundle";
import { formatStats, summarize } from "./support/stats";

const ROUNDS = 3;
const SECONDS_PER_ROUND = 4;
const TTFB_SAMPLES = 300;
const CONCURRENCY = [8, 16];
const RSS_SAMPLE_MS = 100;
const REPLY = ["Hello", " from", " the", " stub", "."];

// ---------------------------------------------------------------- child: the stub
function runStub(): void {
  const usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { stream?: boolean; model?: string };
      const base = { id: "chatcmpl-stub", created: 0, model: body.model ?? "stub" };
      if (!body.stream) {
        const json = JSON.stringify({ ...base, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: REPLY.join("") }, finish_reason: "stop" }], usage });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
        res.end(json);
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      const event = (choices: unknown[], extra: object = {}) => `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...extra })}\n\n`;
      let out = event([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
      for (const piece of REPLY) out += event([{ index: 0, delta: { content: piece }, finish_reason: null }]);
      out += event([{ index: 0, delta: {}, finish_reason: "stop" }]);
      out += event([], { usage });
      res.end(`${out}data: [DONE]\n\n`);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` })));
}

// ---------------------------------------------------------------- child: the Skyloom host
async function runHost(stubUrl: string): Promise<void> {
  const { startSkyloom } = await import("#server/index");
  const { helloAgentGraph } = await import("#server/services/seed");
  const { createContext } = await import("#server/trpc/context");
  const { createCaller } = await import("#server/trpc/root");
  const dir = mkdtempSync(join(tmpdir(), "skyloom-bench-gw-"));
  const skyloom = await startSkyloom(
    { DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", SKYLOOM_MARKETPLACE_NODES: "0", OPENAI_BASE_URL: stubUrl, OPENAI_API_KEY: "stub-key" },
    { pages: false },
  );
  let token: string | undefined;
  const cookies = { set: (t: string) => void (token = t), clear: () => void (token = undefined) };
  const caller = () => createCaller(createContext(skyloom.services, { sessionToken: token, clientIp: "127.0.0.1", cookies }));
  await caller().auth.signup({ email: "bench@example.com", password: "correct-horse-battery", name: "Bench" });
  const flow = await caller().flow.create({ name: "Bench Agent", graph: helloAgentGraph() });
  const agent = await caller().agent.publish({ flowId: flow.id, slug: "bench-agent" });
  const { token: key } = await caller().apiKey.create({ name: "bench", kind: "secret" });
  console.log(JSON.stringify({ url: skyloom.url.replace("localhost", "127.0.0.1"), key, model: agent.slug }));
  const stop = () => void skyloom.close().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  process.once("SIGTERM", stop);
  // The load generator asks for the host's memory after a full collection (the host runs with
  // --expose-gc): what stays alive, as opposed to garbage waiting for the next collection.
  process.on("message", (message) => {
    if (message !== "memory") return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    process.send?.({ rss: m.rss, heapUsed: m.heapUsed });
  });
  // GATEWAY_BENCH_MEMORY=1 logs the host's heap and native memory every 5 s (where RSS goes).
  if (process.env.GATEWAY_BENCH_MEMORY) {
    setInterval(() => {
      const m = process.memoryUsage();
      const mib = (n: number) => (n / 1024 / 1024).toFixed(0);
      console.error(`host memory: rss ${mib(m.rss)}, heap used ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, external ${mib(m.external)}, array buffers ${mib(m.arrayBuffers)} MiB`);
    }, 5000).unref();
  }
}

// ---------------------------------------------------------------- parent: the load generator
/** The children run this file bundled as `npm start` runs the host (support/bundle.ts). */
async function bundleSelf(): Promise<string> {
  return join(await bundleAsProduction("", { "gateway.bench": fileURLToPath(import.meta.url) }, ".mjs"), "gateway.bench.mjs");
}

let childScript: string[] = ["--import", "tsx", fileURLToPath(import.meta.url)];

function startChild(args: string[]): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  // GATEWAY_BENCH_PROFILE=DIR writes a CPU profile of the host there (for finding hot spots).
  const profile = args[0] === "host" && process.env.GATEWAY_BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.GATEWAY_BENCH_PROFILE}`] : [];
  // GATEWAY_BENCH_NODE_FLAGS="--trace-gc …" passes V8 flags to the host (for finding where memory goes).
  const flags = args[0] === "host" ? ["--expose-gc", ...(process.env.GATEWAY_BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? [])] : [];
  const child = spawn(process.execPath, [...flags, ...profile, ...childScript, ...args], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
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

type Target = { name: string; url: URL; headers: Record<string, string>; body: (stream: boolean) => string };

function send(agent: Agent, target: Target, stream: boolean, onFirstByte?: () => void, onFirstContent?: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = target.body(stream);
    const req = request(
      target.url,
      { method: "POST", agent, headers: { ...target.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res: IncomingMessage) => {
        let first = true;
        let content = false;
        res.on("data", (chunk: Buffer) => {
          if (first) {
            first = false;
            onFirstByte?.();
          }
          // The first chunk with answer text (the role-only opening chunk has "content":"").
          if (!content && onFirstContent && /"content":"[^"]/.test(chunk.toString("utf8"))) {
            content = true;
            onFirstContent();
          }
        });
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

type RoundResult = { rps: number; errors: number; cpuMsPerRequest: number; latencies: number[]; rssSamples: number[] };

async function throughput(target: Target, concurrency: number, pid: number): Promise<RoundResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let done = 0;
  let errors = 0;
  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  const rssSamples: number[] = [];
  const worker = async () => {
    while (!stop) {
      try {
        const t0 = performance.now();
        const status = await send(agent, target, false);
        if (measuring) {
          latencies.push(performance.now() - t0);
          if (status === 200) done += 1;
          else errors += 1;
        }
      } catch {
        if (measuring) errors += 1;
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((r) => setTimeout(r, 500)); // warm-up
  measuring = true;
  const started = performance.now();
  const cpuBefore = cpuSeconds(pid);
  const sampler = setInterval(() => rssSamples.push(rssMiB(pid)), RSS_SAMPLE_MS);
  await new Promise((r) => setTimeout(r, SECONDS_PER_ROUND * 1000));
  clearInterval(sampler);
  measuring = false;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const seconds = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  return { rps: done / seconds, errors, cpuMsPerRequest: (cpu * 1000) / Math.max(1, done), latencies, rssSamples };
}

async function firstByteTimes(target: Target): Promise<{ firstByte: number[]; firstContent: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const firstByte: number[] = [];
  const firstContent: number[] = [];
  for (let i = 0; i < TTFB_SAMPLES + 20; i++) {
    const t0 = performance.now();
    let t1 = 0;
    let t2 = 0;
    await send(agent, target, true, () => (t1 = performance.now()), () => (t2 = performance.now()));
    if (i >= 20) {
      firstByte.push(t1 - t0);
      firstContent.push(t2 - t0);
    }
  }
  agent.destroy();
  return { firstByte, firstContent };
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The host's resident and live-heap memory after a full collection, in MiB. */
function liveMemory(host: ChildProcess): Promise<{ rss: number; heapUsed: number }> {
  return new Promise((resolve) => {
    host.once("message", (m) => {
      const { rss, heapUsed } = m as { rss: number; heapUsed: number };
      resolve({ rss: rss / 1024 / 1024, heapUsed: heapUsed / 1024 / 1024 });
    });
    host.send("memory");
  });
}

const percentile = (samples: number[], q: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  // GATEWAY_BENCH_TSX=1 runs the children under tsx instead (as this bench did before).
  if (!process.env.GATEWAY_BENCH_TSX) childScript = [await bundleSelf()];
  console.log(`host and stub run ${process.env.GATEWAY_BENCH_TSX ? "under tsx" : "as an esbuild bundle, like npm start's host"}`);
  const stub = await startChild(["stub"]);
  const host = await startChild(["host", stub.info.url as string]);
  const messages = [{ role: "user", content: "What is Skyloom?" }];
  const direct: Target = {
    name: "direct to stub",
    url: new URL(`${stub.info.url}/chat/completions`),
    headers: { authorization: "Bearer stub-key" },
    body: (stream) => JSON.stringify({ model: "stub", messages, stream }),
  };
  const gateway: Target = {
    name: "Skyloom /v1",
    url: new URL(`${host.info.url}/v1/chat/completions`),
    headers: { authorization: `Bearer ${host.info.key}` },
    body: (stream) => JSON.stringify({ model: host.info.model, messages, stream }),
  };
  const hostPid = host.child.pid as number;
  try {
    await firstByteTimes(gateway); // warm the JIT and the connection pools before measuring memory
    const before = await liveMemory(host.child);
    /** The host's resident size sampled through each gateway round, in order. */
    const rssByRound: { label: string; samples: number[] }[] = [];
    console.log(`${ROUNDS} rounds of ${SECONDS_PER_ROUND} s per setting, 4-block agent, zero-latency stub, non-streaming requests`);
    for (const concurrency of CONCURRENCY) {
      const rps: Record<string, number[]> = { [direct.name]: [], [gateway.name]: [] };
      const cpuPerRequest: Record<string, number[]> = { [direct.name]: [], [gateway.name]: [] };
      const latency: Record<string, number[]> = { [direct.name]: [], [gateway.name]: [] };
      let errors = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const target of [direct, gateway]) {
          const r = await throughput(target, concurrency, target === direct ? (stub.child.pid as number) : hostPid);
          rps[target.name]?.push(r.rps);
          cpuPerRequest[target.name]?.push(r.cpuMsPerRequest);
          for (const ms of r.latencies) latency[target.name]?.push(ms);
          errors += r.errors;
          if (target === gateway) rssByRound.push({ label: `${concurrency} clients, round ${round + 1}`, samples: r.rssSamples });
        }
      }
      for (const [name, samples] of Object.entries(rps)) console.log(formatStats(`  ${concurrency} clients, ${name}`, "req/s", samples, 0));
      for (const [name, samples] of Object.entries(cpuPerRequest)) console.log(formatStats(`  ${concurrency} clients, ${name}, server CPU per request`, "ms", samples, 3));
      for (const [name, samples] of Object.entries(latency)) {
        console.log(`  ${concurrency} clients, ${name}, latency: median ${percentile(samples, 0.5).toFixed(2)} ms, p99 ${percentile(samples, 0.99).toFixed(2)} ms`);
      }
      const ratio = (summarize(rps[gateway.name] ?? []).median / summarize(rps[direct.name] ?? []).median) * 100;
      console.log(`  ${concurrency} clients: gateway at ${ratio.toFixed(0)}% of direct; errors: ${errors}`);
    }
    const directTtfb = await firstByteTimes(direct);
    const gatewayTtfb = await firstByteTimes(gateway);
    console.log(formatStats("time to first streamed byte, direct", "ms", directTtfb.firstByte, 2));
    console.log(formatStats("time to first streamed byte, gateway", "ms", gatewayTtfb.firstByte, 2));
    console.log(`added time to first streamed byte (median): ${(summarize(gatewayTtfb.firstByte).median - summarize(directTtfb.firstByte).median).toFixed(2)} ms`);
    // The gateway sends its opening (role) chunk as soon as the run starts; the first answer text
    // has gone through the whole agent and the model call, so it is reported as well.
    console.log(formatStats("time to first answer text, direct", "ms", directTtfb.firstContent, 2));
    console.log(formatStats("time to first answer text, gateway", "ms", gatewayTtfb.firstContent, 2));
    console.log(`added time to first answer text (median): ${(summarize(gatewayTtfb.firstContent).median - summarize(directTtfb.firstContent).median).toFixed(2)} ms`);
    // Flat means no trend: between full collections V8 lets garbage pile up to a few times the
    // live heap (a sawtooth), so each round's range is shown, and what stays alive is compared.
    const after = await liveMemory(host.child);
    console.log(`host memory through the gateway rounds (RSS sampled every ${RSS_SAMPLE_MS} ms):`);
    for (const round of rssByRound) {
      console.log(`  ${round.label}: RSS min ${Math.min(...round.samples).toFixed(0)}, median ${percentile(round.samples, 0.5).toFixed(0)}, max ${Math.max(...round.samples).toFixed(0)} MiB`);
    }
    // The first round includes the heap growing to its working size under load.
    const settled = rssByRound.slice(1).flatMap((r) => r.samples);
    const peaks = rssByRound.map((r) => Math.max(...r.samples));
    console.log(`  RSS peak: first round ${peaks[0]?.toFixed(0)} MiB, last round ${peaks.at(-1)?.toFixed(0)} MiB`);
    console.log(`  RSS from the second round on: ${Math.min(...settled).toFixed(0)} to ${Math.max(...settled).toFixed(0)} MiB`);
    console.log(`host after a full collection: live heap ${before.heapUsed.toFixed(1)} MiB before the load, ${after.heapUsed.toFixed(1)} MiB after (${(after.heapUsed - before.heapUsed).toFixed(1)} MiB); RSS ${before.rss.toFixed(0)} → ${after.rss.toFixed(0)} MiB`);
  } finally {
    host.child.kill("SIGTERM");
    stub.child.kill("SIGTERM");
  }
}

const mode = process.argv[2];
if (mode === "stub") runStub();
else if (mode === "host") await runHost(process.argv[3] as string);
else await main();
