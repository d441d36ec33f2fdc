/**
 * What opening the editor and starting the host weigh (`npm run build` first):
 *  - JavaScript the /flows/:id page requests on a first visit (cold browser cache), until the
 *    canvas is ready and the network is quiet; the auto-layout engine (elkjs) and the code
 *    viewer (CodeMirror) are named when they are among them;
 *  - what the first model call after a start pays once for importing LangChain, which the
 *    host loads on first use instead of at start (see bench/startup.bench.ts for the start
 *    itself and the idle memory).
 * The machine these run on is shared: the load average is printed beside the figures.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_LAUNCH_OPTIONS } from "../test/e2e/support/chromium";
import { startBuiltServer } from "../test/e2e/support/server";
import { formatStats } from "./support/stats";

const ROOT = join(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** A small everyday flow: chat input → prompt → chat model → chat output. */
const FLOW = {
  schemaVersion: 1,
  nodes: [
    { id: "in", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 0 } },
    { id: "prompt", type: "prompt.template", version: 1, config: { template: "Question: {input}" }, ui: { x: 300, y: 0 } },
    { id: "model", type: "model.openai", version: 1, config: {}, ui: { x: 600, y: 0 } },
    { id: "out", type: "io.chat-output", version: 1, config: {}, ui: { x: 900, y: 0 } },
  ],
  edges: [
    { id: "e1", from: { node: "in", port: "message" }, to: { node: "prompt", port: "input" } },
    { id: "e2", from: { node: "prompt", port: "prompt" }, to: { node: "model", port: "prompt" } },
    { id: "e3", from: { node: "model", port: "text" }, to: { node: "out", port: "message" } },
  ],
};

async function signUpAndCreateFlow(page: Page, base: string): Promise<string> {
  await page.goto(`${base}/signup`);
  await page.getByLabel("Name").fill("Bench");
  await page.getByLabel("Email").fill(`weight-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("correct-horse-battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { name: "Flows" }).waitFor();
  return page.evaluate(async (graph) => {
    const res = await fetch("/api/trpc/flow.create", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Weight", graph }),
    });
    const body = (await res.json()) as { result?: { data: { id: string } }; error?: unknown };
    if (!body.result) throw new Error(`flow.create failed: ${JSON.stringify(body.error).slice(0, 500)}`);
    return body.result.data.id;
  }, FLOW);
}

type LoadedFile = { url: string; bytes: number; library: "elkjs" | "CodeMirror" | null };
type FirstLoad = { bytes: number; files: LoadedFile[] };

/** Chunk names are hashes of whatever Vite grouped, so the big libraries are told apart by their contents. */
function libraryIn(text: string): LoadedFile["library"] {
  if (text.includes("org.eclipse.elk")) return "elkjs";
  if (text.includes("cm-editor")) return "CodeMirror";
  return null;
}

/** Every JavaScript file a cold first visit of the flow requests, until the canvas is ready and the network is quiet. */
async function firstLoad(browser: Browser, url: string, storageState: Awaited<ReturnType<BrowserContext["storageState"]>>): Promise<FirstLoad> {
  const context = await browser.newContext({ storageState, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const pending: Promise<LoadedFile | null>[] = [];
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (!path.endsWith(".js")) return;
    pending.push(response.body().then((b) => ({ url: path, bytes: b.length, library: libraryIn(b.toString("latin1")) }), () => null));
  });
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName("skyloom:canvas-ready").length > 0, null, { timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  const files = (await Promise.all(pending)).filter((f): f is LoadedFile => f !== null);
  await context.close();
  return { bytes: files.reduce((sum, f) => sum + f.bytes, 0), files };
}

/** Milliseconds a fresh Node process takes to import what the host's first model call loads. */
function langChainImportMs(): number {
  const script = `
    const t0 = performance.now();
    await Promise.all([
      import("@langchain/core/language_models/chat_models"),
      import("@langchain/core/messages"),
      import("@langchain/core/tools"),
      import("@langchain/openai"),
    ]);
    console.log(performance.now() - t0);`;
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" }).trim());
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(" / ");

async function main() {
  if (!existsSync(join(ROOT, "build/host/main.js"))) {
    console.error("bench/weight.bench.ts needs the built host: run `npm run build` first.");
    process.exit(1);
  }
  console.log(`load average at start (1 / 5 / 15 min): ${load()} on ${availableParallelism()} cores`);
  const server = await startBuiltServer();
  const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  try {
    const signUp = await browser.newContext();
    const page = await signUp.newPage();
    const flowId = await signUpAndCreateFlow(page, server.url);
    const storageState = await signUp.storageState();
    await signUp.close();

    const loads: FirstLoad[] = [];
    for (let r = 0; r < RUNS; r++) loads.push(await firstLoad(browser, `${server.url}/flows/${flowId}`, storageState));
    const kb = loads.map((l) => l.bytes / 1024);
    const last = loads.at(-1) as FirstLoad;
    const named = (library: LoadedFile["library"]) => (last.files.some((f) => f.library === library) ? "loaded" : "not loaded");
    console.log(formatStats("editor (/flows/:id) JavaScript on a first visit", "KiB", kb, 0));
    console.log(`  ${last.files.length} files; elkjs ${named("elkjs")}, CodeMirror ${named("CodeMirror")}`);
    for (const f of [...last.files].sort((a, b) => b.bytes - a.bytes).slice(0, 3)) console.log(`  largest: ${f.url} ${(f.bytes / 1024).toFixed(0)} KiB`);
  } finally {
    await browser.close();
    await server.stop();
  }

  const importMs: number[] = [];
  for (let r = 0; r < RUNS; r++) importMs.push(langChainImportMs());
  console.log(formatStats("importing LangChain in a fresh process (paid at start before, by the first model call after)", "ms", importMs, 0));
  console.log(`load average at end (1 / 5 / 15 min): ${load()}`);
}

await main();
