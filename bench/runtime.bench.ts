/**
 * The agent runtime's own cost per run: Chat Input → Prompt → Chat Model → Chat Output
 * through executeRun (LangChain under it), against a zero-latency OpenAI-compatible stub,
 * compared in the same process with calling the stub directly through the `openai` SDK.
 *
 * Figures (medians of ROUNDS rounds): added latency per run, added CPU per run, runs/s with 8
 * concurrent conversations vs direct calls, resident memory before and after 10,000 runs.
 * The stub runs in a child process, so its CPU is not counted here.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ChatOpenAICompletions } from "@langchain/openai";
import OpenAI from "openai";
import { blockRegistry } from "#agents/blocks/index";
import { runnersByType } from "#agents/blocks/index.server";
import type { GraphDoc } from "#agents/graph/index";
import type { RunCapabilities } from "#agents/runtime/context";
import { executeRun } from "#agents/runtime/executor";
import { summarize } from "./support/stats";

const ROUNDS = 5;
const RUNS_PER_ROUND = 400;
const THROUGHPUT_SECONDS = 3;
const CONCURRENCY = 8;
const MEMORY_RUNS = 10_000;
const REPLY = ["Hello", " from", " the", " stub", "."];

// ---------------------------------------------------------------- child: the stub
function runStub(): void {
  let n = 0;
  const usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      n += 1;
      // Every completion has its own id (LangGraph merges messages that share one).
      const base = { id: `chatcmpl-${n}`, created: 0, model: "stub" };
      const event = (choices: unknown[], extra: object = {}) => `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...extra })}\n\n`;
      let out = event([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
      for (const piece of REPLY) out += event([{ index: 0, delta: { content: piece }, finish_reason: null }]);
      out += event([{ index: 0, delta: {}, finish_reason: "stop" }]);
      out += event([], { usage });
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${out}data: [DONE]\n\n`);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` })));
}


async function startStub(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "stub"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve((JSON.parse(d.toString()) as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`stub exited with ${code}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

const graph: GraphDoc = {
  schemaVersion: 1,
  nodes: [
    { id: "in", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 0 } },
    { id: "prompt", type: "prompt.template", version: 1, config: { template: "Answer briefly.\n\nQuestion: {input}" }, ui: { x: 1, y: 0 } },
    { id: "model", type: "model.openai", version: 1, config: { model: "stub", temperature: 0.7, maxTokens: 256 }, ui: { x: 2, y: 0 } },
    { id: "out", type: "io.chat-output", version: 1, config: {}, ui: { x: 3, y: 0 } },
  ],
  edges: [
    { id: "e1", from: { node: "in", port: "message" }, to: { node: "prompt", port: "input" } },
    { id: "e2", from: { node: "prompt", port: "prompt" }, to: { node: "model", port: "prompt" } },
    { id: "e3", from: { node: "model", port: "text" }, to: { node: "out", port: "message" } },
  ],
};

async function main(): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const stub = await startStub();
  try {
    const client = new OpenAI({ baseURL: stub.url, apiKey: "bench", maxRetries: 0 });
    // The same client setup the server uses: one cached LangChain client per model config.
    const model = new ChatOpenAICompletions({ model: "stub", apiKey: "bench", maxRetries: 0, streamUsage: true, temperature: 0.7, maxTokens: 256, configuration: { baseURL: stub.url } });
    const capabilities: RunCapabilities = {
      llm: { chatModel: () => model },
      credentials: { resolve: async () => ({ kind: "secret", secret: "" }) },
      memory: { load: async () => [], append: async () => {} },
      http: { fetch },
      sandbox: {
        run: async () => {
          throw new Error("This bench's agent has no code tool.");
        },
      },
      endpoints: { resolve: async () => ({ baseUrl: stub.url, model: "stub" }) },
      clock: { now: () => performance.now() },
      meter: { record: () => {} },
    };
    let i = 0;
    const direct = async (): Promise<string> => {
      i += 1;
      const stream = await client.chat.completions.create({
        model: "stub",
        temperature: 0.7,
        max_tokens: 256,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: `Answer briefly.\n\nQuestion: question ${i}` }],
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      return text;
    };
    let events = 0;
    const viaRuntime = async (): Promise<string> => {
      i += 1;
      const result = await executeRun({
        runId: `run_${i}`,
        graph,
        input: `question ${i}`,
        conversationId: `conv_${i % CONCURRENCY}`,
        blocks: blockRegistry,
        runners: runnersByType,
        capabilities,
        onEvent: () => {
          events += 1;
        },
      });
      if (result.status !== "succeeded") throw new Error(`run failed: ${result.error}`);
      return result.output ?? "";
    };

    // Both paths must give the same answer, or the comparison means nothing.
    const [a, b] = [await direct(), await viaRuntime()];
    if (a !== b || a !== REPLY.join("")) throw new Error(`answers differ: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    for (let w = 0; w < 300; w++) {
      await direct();
      await viaRuntime();
    }

    // Latency and CPU, sequential, interleaved per round so drift hits both alike.
    const latency = { direct: [] as number[], runtime: [] as number[] };
    const cpu = { direct: [] as number[], runtime: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of [["direct", direct], ["runtime", viaRuntime]] as const) {
        const times: number[] = [];
        const cpuStart = process.cpuUsage();
        for (let r = 0; r < RUNS_PER_ROUND; r++) {
          const t = performance.now();
          await fn();
          times.push(performance.now() - t);
        }
        const used = process.cpuUsage(cpuStart);
        latency[name].push(summarize(times).median);
        cpu[name].push((used.user + used.system) / 1000 / RUNS_PER_ROUND);
      }
    }

    // Throughput: 8 conversations at once, for a fixed time.
    const throughput = async (fn: () => Promise<string>): Promise<number> => {
      let done = 0;
      const until = performance.now() + THROUGHPUT_SECONDS * 1000;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < until) {
            await fn();
            done += 1;
          }
        }),
      );
      return done / THROUGHPUT_SECONDS;
    };
    const rps = { direct: [] as number[], runtime: [] as number[] };
    for (let round = 0; round < 3; round++) {
      rps.direct.push(await throughput(direct));
      rps.runtime.push(await throughput(viaRuntime));
    }

    // Memory: resident size before and after 10,000 runs (8 at a time).
    gc();
    const before = process.memoryUsage();
    let remaining = MEMORY_RUNS;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (remaining > 0) {
          remaining -= 1;
          await viaRuntime();
        }
      }),
    );
    gc();
    const after = process.memoryUsage();

    const med = (xs: number[]) => summarize(xs).median;
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}`;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(`runtime overhead, Input → Prompt → Model → Output vs the openai SDK, zero-latency stub (${ROUNDS} rounds × ${RUNS_PER_ROUND} runs each, median of round medians; range across rounds)`);
    console.log(`  latency per run   direct ${med(latency.direct).toFixed(3)} ms (${spread(latency.direct)})   runtime ${med(latency.runtime).toFixed(3)} ms (${spread(latency.runtime)})   added ${(med(latency.runtime) - med(latency.direct)).toFixed(3)} ms (budget ≤ 1 ms)`);
    console.log(`  CPU per run       direct ${med(cpu.direct).toFixed(3)} ms (${spread(cpu.direct)})   runtime ${med(cpu.runtime).toFixed(3)} ms (${spread(cpu.runtime)})   added ${(med(cpu.runtime) - med(cpu.direct)).toFixed(3)} ms (budget ≤ 1 ms)`);
    console.log(
      `  runs/s, ${CONCURRENCY} concurrent conversations (3 × ${THROUGHPUT_SECONDS} s)   direct ${med(rps.direct).toFixed(0)} (${spread(rps.direct)})   runtime ${med(rps.runtime).toFixed(0)} (${spread(rps.runtime)})   ratio ${((med(rps.runtime) / med(rps.direct)) * 100).toFixed(0)}% (budget ≥ 50%)`,
    );
    console.log(`  resident memory   before ${mb(before.rss)}   after ${MEMORY_RUNS.toLocaleString("en")} runs ${mb(after.rss)} (heap used ${mb(before.heapUsed)} → ${mb(after.heapUsed)})`);
    console.log(`  events emitted per run: ${(events / (i / 2)).toFixed(1)} (approx.)`);
  } finally {
    stub.stop();
  }
}

if (process.argv[2] === "stub") runStub();
else await main();
