/**
 * Template gallery speed in headless Chromium against the built host (`npm run build` first).
 * Another team shares 2,000 public templates through the real API (template.saveFromFlow);
 * a reader then, several times:
 *  - opens the public shelf (/templates?shelf=public): ms from starting the navigation to the
 *    first page of cards on screen, and to the page answering clicks (hydrated);  goal ≤ 1 s
 *  - clicks "Use" on a card that needs nothing: ms from the click to the editor showing the
 *    new flow's canvas nodes;                                                     goal ≤ 1 s
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { chromium, type APIRequestContext, type Browser, type Page } from "playwright-core";
import { promptAgentGraph } from "../test/fixtures/agent-graphs";
import { CHROMIUM_LAUNCH_OPTIONS } from "../test/e2e/support/chromium";
import { startBuiltServer } from "../test/e2e/support/server";
import { formatStats, summarize } from "./support/stats";

const ROOT = join(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COUNT = 2_000;
const CATEGORIES = ["Agents", "Knowledge", "Data", "Text", "Logic", "Models"];

async function trpc<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/trpc/${path}`, { data: input as object });
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!response.ok() || !body.result) throw new Error(`${path} failed (${response.status()}): ${body.error?.message ?? "no result"}`);
  return body.result.data;
}

async function signUp(page: Page, name: string) {
  await page.goto("/signup");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${name.toLowerCase()}-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("correct-horse-battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { name: "Flows" }).waitFor();
}

/** A second user (their own team) shares COUNT public templates, each a 4-block prompt agent. */
async function seedPublicTemplates(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signUp(page, "Sharer");
  const flow = await trpc<{ id: string }>(context.request, "flow.create", { name: "Shared agent", graph: promptAgentGraph("Answer: {input}") });
  const save = (i: number) =>
    trpc(context.request, "template.saveFromFlow", {
      flowId: flow.id,
      name: `${i % 7 === 0 ? "Support" : "Research"} agent ${i}`,
      description: `Template number ${i}: answers questions about topic ${i % 50}.`,
      tags: [`topic-${i % 50}`, i % 2 === 0 ? "agent" : "chain"],
      category: CATEGORIES[i % CATEGORIES.length],
      readme: `# Template ${i}\n\n${"Some words about it. ".repeat(40)}`,
      visibility: "public",
    });
  // A few requests in flight at once: seeding is setup, not what is measured.
  for (let i = 0; i < COUNT; i += 4) await Promise.all([i, i + 1, i + 2, i + 3].filter((n) => n < COUNT).map(save));
  await context.close();
}

/** ms from starting the navigation to the first card on screen, and to hydration. */
async function openGallery(page: Page): Promise<{ cards: number; hydrated: number; count: number }> {
  const start = performance.now();
  await page.goto("/templates?shelf=public");
  await page.getByTestId("template-card").first().waitFor({ state: "visible" });
  const cards = performance.now() - start;
  await page.locator('html[data-hydrated="true"]').waitFor({ state: "attached" });
  const hydrated = performance.now() - start;
  return { cards, hydrated, count: await page.getByTestId("template-card").count() };
}

/** ms from clicking "Use" on the card at `index` to the new flow's nodes on the canvas. */
async function useTemplate(page: Page, index: number): Promise<number> {
  const card = page.getByTestId("template-card").nth(index);
  await card.getByText("Ready to run: needs nothing").waitFor();
  const button = card.getByRole("button", { name: /^Use / });
  const start = performance.now();
  await button.click();
  await page.waitForURL(/\/flows\/flow_/);
  await page.locator(".react-flow__node").first().waitFor({ state: "visible" });
  const elapsed = performance.now() - start;
  const nodes = await page.locator(".react-flow__node").count();
  if (nodes !== promptAgentGraph().nodes.length) throw new Error(`the editor shows ${nodes} nodes`);
  return elapsed;
}

async function main() {
  if (!existsSync(join(ROOT, "build/host/main.js"))) {
    console.error("bench/templates-ui.bench.ts needs the built host: run `npm run build` first.");
    process.exit(1);
  }
  const server = await startBuiltServer();
  const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  try {
    const seedStart = performance.now();
    await seedPublicTemplates(browser, server.url);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await signUp(page, "Reader");
    await openGallery(page); // warm up: the server's first render, the browser's caches
    const firstCards: number[] = [];
    const hydrated: number[] = [];
    const use: number[] = [];
    let shown = 0;
    for (let r = 0; r < RUNS; r++) {
      const gallery = await openGallery(page);
      firstCards.push(gallery.cards);
      hydrated.push(gallery.hydrated);
      shown = gallery.count;
      use.push(await useTemplate(page, r));
    }
    const html = await (await context.request.get("/templates?shelf=public")).text();

    const [one, five] = loadavg();
    console.log(`templates in the browser: ${COUNT} public templates from another team (seeded in ${seedSeconds.toFixed(0)} s); ${RUNS} runs; load average ${one?.toFixed(2)} / ${five?.toFixed(2)}`);
    console.log(`  first page: ${shown} cards, ${(html.length / 1024).toFixed(0)} KiB of HTML`);
    console.log(formatStats("  gallery: navigation → first page of cards visible (goal ≤ 1000)", "ms", firstCards, 0));
    console.log(formatStats("  gallery: navigation → hydrated (answers clicks)", "ms", hydrated, 0));
    console.log(formatStats('  "Use" → editor with its canvas nodes visible (goal ≤ 1000)', "ms", use, 0));
    const met = (xs: number[]) => (summarize(xs).median <= 1000 ? "met" : "NOT met");
    console.log(`  goals: gallery ${met(firstCards)}, use ${met(use)}`);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
