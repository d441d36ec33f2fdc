import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockRegistry } from "#agents/blocks/index";
import { validateGraph } from "#agents/compile/validate";
import type { EndpointResolver } from "#agents/runtime/context";
import type { RunEvent } from "#agents/runtime/events";
import { templates } from "#db/schema";
import { templateValidationErrors } from "#server/services/template-secrets";
import { loadSeedTemplates, readSeedTemplates, type SeedTemplate } from "#server/services/template-seeds";
import { createTestBackend, type TestBackend, type TestClient } from "../../support/harness";

/**
 * Skyloom's own templates: every seed validates, every agent template runs end to end on the
 * local development model from "Use template", and every endpoint template compiles to
 * manifests for every target. Loading them at start is idempotent.
 */

const seeds = readSeedTemplates();
const isAgent = (seed: SeedTemplate) => seed.graph.nodes.some((n) => blockRegistry.hasRole(n.type, "chatInput"));
const agentSeeds = seeds.filter(isAgent);
const endpointSeeds = seeds.filter((s) => !isAgent(s));

/** What to type into each agent template's chat, to exercise its tools where that needs no internet. */
const MESSAGES: Record<string, string> = {
  "calculator-agent": "Use the calculator: 12 * (3 + 4) ^ 2",
  "code-tool-agent": "How many days between 2026-03-01 and 2026-12-25?",
  "question-router": "I was charged twice, please send a refund for the invoice",
  "knowledge-faq": "When does the ferry leave?",
  "structured-extraction": "Hi, I am Ada from Example Inc (ada@example.com), about the 120 EUR invoice.",
};
/** Tools each run must have called (the dev model calls a tool the message names). */
const TOOL_CALLS: Record<string, string> = { "calculator-agent": "calculator", "code-tool-agent": "days_between" };

let backend: TestBackend;
let alice: TestClient;
let devModelUrl = "";
/** The agent-on-its-own-model template's endpoint answers with the development model, as a deployed one would. */
const endpoints: EndpointResolver = { resolve: async () => ({ baseUrl: devModelUrl, model: "skyloom-dev" }) };

beforeAll(async () => {
  backend = await createTestBackend({ adapters: { endpoints } });
  devModelUrl = backend.services.runtime.devModel?.baseUrl ?? "";
  alice = await backend.signedUpClient("alice@example.com", "Alice");
});
afterAll(async () => {
  await backend.close();
});

async function runToEnd(flowId: string, input: string): Promise<RunEvent[]> {
  const { runId } = await alice.trpc.run.start({ flowId, input, conversationId: "seed-check" });
  const events: RunEvent[] = [];
  for await (const e of await alice.trpc.run.events({ id: runId })) events.push((e as unknown as [string, RunEvent])[1]);
  return events;
}

async function seededId(key: string): Promise<string> {
  const { templates: cards } = await alice.trpc.template.list({ shelf: "skyloom", limit: 500 });
  const seed = seeds.find((s) => s.key === key);
  const card = cards.find((c) => c.name === seed?.name);
  if (!card) throw new Error(`Seed ${key} is not on the Skyloom shelf`);
  return card.id;
}

describe("seeded templates", () => {
  it("has at least 16, covering what issue 14 asks for, four of them featured", () => {
    expect(seeds.length).toBeGreaterThanOrEqual(16);
    const models = endpointSeeds.flatMap((s) => s.graph.nodes.map((n) => (n.config as { model?: string }).model));
    expect(models).toEqual(
      expect.arrayContaining([
        "meta-llama/Llama-3.1-8B-Instruct",
        "Qwen/Qwen2.5-7B-Instruct",
        "mistralai/Mistral-7B-Instruct-v0.3",
        "meta-llama/Llama-3.1-70B-Instruct",
        "BAAI/bge-m3",
        "openai/whisper-large-v3",
      ]),
    );
    const seventy = endpointSeeds.find((s) => s.key === "llama-3-1-70b-multi-gpu");
    expect((seventy?.graph.nodes[0]?.config as { gpuCount?: number }).gpuCount).toBeGreaterThan(1);
    expect(agentSeeds.map((s) => s.key)).toEqual(
      expect.arrayContaining([
        "support-agent",
        "knowledge-faq",
        "web-research",
        "structured-extraction",
        "question-router",
        "calculator-agent",
        "code-tool-agent",
        "translation-chain",
        "summariser",
        "agent-on-deployed-model",
      ]),
    );
    expect(seeds.filter((s) => s.featured !== null).map((s) => s.featured).sort()).toEqual([1, 2, 3, 4]);
  });

  it.each(seeds.map((s) => [s.key, s] as const))("%s validates without errors or warnings about its wiring", (_key, seed) => {
    // The one error a template may carry is a need bound at use: the FAQ's knowledge base (E204).
    const errors = validateGraph(seed.graph).filter((d) => d.severity === "error");
    const needsKnowledgeBase = seed.graph.nodes.some((n) => blockRegistry.hasRole(n.type, "knowledgeBase"));
    expect(errors.map((d) => d.code)).toEqual(needsKnowledgeBase ? ["E204"] : []);
    expect(templateValidationErrors(seed.graph)).toEqual([]);
    expect(seed.readme.startsWith("# ")).toBe(true);
  });

  it("are on the Skyloom shelf after start, and loading them again writes nothing", async () => {
    const { templates: cards, categories } = await alice.trpc.template.list({ shelf: "skyloom", limit: 500 });
    expect(cards.map((c) => c.name).sort()).toEqual(seeds.map((s) => s.name).sort());
    expect(cards.every((c) => c.shelf === "skyloom" && c.teamName === null && c.graph.nodes.length > 0)).toBe(true);
    expect(categories).toEqual([...new Set(seeds.map((s) => s.category))].sort());
    expect(loadSeedTemplates(backend.db)).toBe(0);
    const featured = await alice.trpc.template.featured();
    expect(featured.map((c) => c.name)).toEqual([1, 2, 3, 4].map((rank) => seeds.find((s) => s.featured === rank)?.name));
  });

  it("a changed seed is updated in place: version bumped, uses kept", async () => {
    const id = await seededId("summariser");
    await alice.trpc.template.use({ id });
    const changed = seeds.map((s) => (s.key === "summariser" ? { ...s, description: "Summarises anything." } : s));
    expect(loadSeedTemplates(backend.db, changed)).toBe(1);
    const card = await alice.trpc.template.get({ id });
    expect(card).toMatchObject({ description: "Summarises anything.", version: 2, uses: 1 });
    expect(card.versions.map((v) => v.number)).toEqual([2, 1]);
    loadSeedTemplates(backend.db); // back to the files
    expect(backend.db.select().from(templates).all().length).toBe(seeds.length);
  });

  it.each(agentSeeds.map((s) => [s.key, s] as const))("%s runs end to end on the development model from Use template", async (key, seed) => {
    const bindings = [];
    const kbNode = seed.graph.nodes.find((n) => n.id === "retriever");
    if (kbNode) {
      const base = await alice.trpc.knowledge.create({ name: `Docs for ${key}` });
      await alice.trpc.knowledge.documents.upload({
        knowledgeBaseId: base.id,
        name: "ferry.md",
        contentBase64: Buffer.from("# Ferry\n\nThe ferry leaves at nine every morning from pier 4.").toString("base64"),
      });
      await backend.services.knowledge.whenIdle();
      bindings.push({ nodeId: kbNode.id, knowledgeBaseId: base.id });
    }
    const { flowId } = await alice.trpc.template.use({ id: await seededId(key), bindings });
    const events = await runToEnd(flowId, MESSAGES[key] ?? "Hello, can you help me with something?");
    const finish = events.at(-1) as Extract<RunEvent, { type: "run.finish" }>;
    expect(finish.type).toBe("run.finish");
    expect(finish.status, JSON.stringify(events.filter((e) => e.type === "node.error"))).toBe("succeeded");
    expect(finish.output?.trim().length).toBeGreaterThan(0);
    const tool = TOOL_CALLS[key];
    if (tool) expect(events.some((e) => e.type === "tool.call" && e.tool === tool)).toBe(true);
    if (kbNode) expect(finish.output).toContain("ferry leaves at nine");
    if (key === "calculator-agent") expect(finish.output).toContain("calculator returned 588");
  });

  it.each(endpointSeeds.map((s) => [s.key, s] as const))("%s compiles to manifests for every target", async (key) => {
    const { flowId } = await alice.trpc.template.use({ id: await seededId(key) });
    const preview = await alice.trpc.compile.preview({ flowId });
    expect(preview.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(preview.ok).toBe(true);
    for (const target of preview.targets) expect(target.files.length, target.id).toBeGreaterThan(0);
  });
});
