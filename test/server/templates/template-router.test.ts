import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, flows, templates } from "#db/schema";
import type { GraphDoc } from "#agents/graph/index";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend, type TestClient } from "../../support/harness";
import { joinTeam } from "../../support/teams";
import { outcomeOf } from "../../support/trpc-errors";
import { secretFlowGraph } from "./support";

/**
 * The template router through real tRPC callers: the three shelves, sharing and roles, another
 * team's public template (readable, never changeable), what a template never carries, audit
 * entries, and refusals that write nothing.
 */

let backend: TestBackend;
/** Owner of team "Acme" (alice's personal team, renamed). */
let alice: TestClient;
let bob: TestClient; // editor in Acme
let vera: TestClient; // viewer in Acme
let mallory: TestClient; // owner of another team

beforeAll(async () => {
  backend = await createTestBackend();
  alice = await backend.signedUpClient("alice@example.com", "Alice");
  await alice.trpc.team.rename({ name: "Acme" });
  bob = await backend.signedUpClient("bob@example.com", "Bob");
  vera = await backend.signedUpClient("vera@example.com", "Vera");
  mallory = await backend.signedUpClient("mallory@example.com", "Mallory");
  await mallory.trpc.team.rename({ name: "Umbrella" });
  await joinTeam(alice.trpc, bob.trpc, "editor", { open: true });
  await joinTeam(alice.trpc, vera.trpc, "viewer", { open: true });
});
afterAll(async () => {
  await backend.close();
});

const details = { description: "Says hello.", tags: ["starter", "hello"], category: "Agents", readme: "# Hello\n\nTry it." };

async function shareHello(client: TestClient, name: string, visibility: "team" | "public" = "team") {
  const flow = await client.trpc.flow.create({ name: `${name} source`, graph: helloAgentGraph() });
  const template = await client.trpc.template.saveFromFlow({ flowId: flow.id, name, visibility, ...details });
  return { flowId: flow.id, templateId: template.id };
}

const flowCount = () => backend.db.select().from(flows).all().length;
const templateCount = () => backend.db.select().from(templates).all().length;
const auditOf = (targetId: string) =>
  backend.db
    .select({ action: auditLog.action, detail: auditLog.detail })
    .from(auditLog)
    .where(eq(auditLog.targetId, targetId))
    .all()
    .map((a) => a.action);

describe("shelves: list, get, use", () => {
  it("Skyloom's shelf: any member reads it; using one makes a flow in the active team with fresh ids and counts the use", async () => {
    const { templates: cards } = await vera.trpc.template.list({ shelf: "skyloom", search: "summar" });
    expect(cards.map((c) => c.name)).toEqual(["Summariser"]);
    const card = await vera.trpc.template.get({ id: cards[0]?.id ?? "" });
    expect(card.readme).toMatch(/^# Summariser/);
    expect(card.fullGraph.nodes.map((n) => n.id).sort()).toEqual(["input", "model", "output", "prompt"]);
    expect(card.missing).toEqual([]);

    const { flowId } = await bob.trpc.template.use({ id: card.id, name: "My summariser" });
    const flow = await alice.trpc.flow.get({ id: flowId });
    expect(flow.name).toBe("My summariser");
    expect(flow.graph.nodes).toHaveLength(4);
    expect(flow.graph.nodes.some((n) => ["input", "model", "output", "prompt"].includes(n.id))).toBe(false);
    expect((await vera.trpc.template.get({ id: card.id })).uses).toBe(card.uses + 1);
    expect(auditOf(card.id)).toContain("template.use");
  });

  it("filters by words, category and tag; categories and tags are the shelf's", async () => {
    const byTag = await alice.trpc.template.list({ shelf: "skyloom", tag: "one-click" });
    expect(byTag.templates.length).toBeGreaterThanOrEqual(6);
    expect(byTag.templates.every((c) => c.category === "Models")).toBe(true);
    expect(byTag.tags).toContain("memory");
    const byCategory = await alice.trpc.template.list({ shelf: "skyloom", category: "Knowledge" });
    expect(byCategory.templates.map((c) => c.name)).toEqual(["FAQ over a knowledge base"]);
    expect(byCategory.templates[0]?.needs).toEqual([{ kind: "knowledge-base", label: "A knowledge base for Knowledge Retriever", nodeIds: ["retriever"] }]);
    // A search for a LIKE wildcard finds only names that contain it.
    expect((await alice.trpc.template.list({ shelf: "skyloom", search: "%" })).templates).toEqual([]);
  });

  it("team shelf: shared to the team, another member uses it; another team never sees it", async () => {
    const { templateId } = await shareHello(alice, "Acme greeter");
    const bobsShelf = await bob.trpc.template.list({ shelf: "team" });
    const card = bobsShelf.templates.find((c) => c.id === templateId);
    expect(card).toMatchObject({ shelf: "team", teamName: "Acme", visibility: "team", version: 1, tags: ["starter", "hello"], canManage: true });
    expect((await vera.trpc.template.list({ shelf: "team" })).templates.find((c) => c.id === templateId)?.canManage).toBe(false);
    const { flowId } = await bob.trpc.template.use({ id: templateId });
    expect((await bob.trpc.flow.get({ id: flowId })).name).toBe("Acme greeter");

    expect((await mallory.trpc.template.list({ shelf: "public" })).templates.map((c) => c.id)).not.toContain(templateId);
    expect((await mallory.trpc.template.list({ shelf: "team" })).templates).toEqual([]);
    expect(await outcomeOf(mallory.trpc.template.get({ id: templateId }))).toBe("NOT_FOUND: Template not found.");
    expect(await outcomeOf(mallory.trpc.template.use({ id: templateId }))).toBe("NOT_FOUND: Template not found.");
  });

  it("public shelf: an admin's public template is read and used by another team, as data", async () => {
    const { templateId } = await shareHello(alice, "Public greeter", "public");
    const malloryShelf = await mallory.trpc.template.list({ shelf: "public" });
    expect(malloryShelf.templates.find((c) => c.id === templateId)).toMatchObject({ shelf: "public", teamName: "Acme", canManage: false });
    // The owning team finds it on its own shelf, not among "shared by other teams".
    expect((await alice.trpc.template.list({ shelf: "public" })).templates.map((c) => c.id)).not.toContain(templateId);
    expect((await alice.trpc.template.list({ shelf: "team" })).templates.map((c) => c.id)).toContain(templateId);
    const { flowId } = await mallory.trpc.template.use({ id: templateId });
    expect((await mallory.trpc.flow.list()).map((f) => f.id)).toContain(flowId);
    expect(await outcomeOf(alice.trpc.flow.get({ id: flowId }))).toBe("NOT_FOUND: Flow not found.");
  });
});

describe("roles", () => {
  it("a viewer reads but cannot use or share; an editor shares to the team but not publicly", async () => {
    const seeded = (await vera.trpc.template.list({ shelf: "skyloom" })).templates[0]?.id ?? "";
    const flow = await alice.trpc.flow.create({ name: "Roles source", graph: helloAgentGraph() });
    const before = [flowCount(), templateCount()];
    expect(await outcomeOf(vera.trpc.template.use({ id: seeded }))).toBe("FORBIDDEN: This needs the editor role in Acme; you are a viewer.");
    expect(await outcomeOf(vera.trpc.template.saveFromFlow({ flowId: flow.id, name: "V", visibility: "team", ...details }))).toBe(
      "FORBIDDEN: This needs the editor role in Acme; you are a viewer.",
    );
    expect(await outcomeOf(bob.trpc.template.saveFromFlow({ flowId: flow.id, name: "B", visibility: "public", ...details }))).toBe(
      "FORBIDDEN: Only the team's admins can share a template publicly; you are an editor. Share it with the team instead.",
    );
    expect([flowCount(), templateCount()]).toEqual(before);

    const shared = await bob.trpc.template.saveFromFlow({ flowId: flow.id, name: "Bob's", visibility: "team", ...details });
    expect(await outcomeOf(bob.trpc.template.setVisibility({ id: shared.id, visibility: "public" }))).toBe(
      "FORBIDDEN: Only the team's admins can share a template publicly; you are an editor. Share it with the team instead.",
    );
    expect((await alice.trpc.template.setVisibility({ id: shared.id, visibility: "public" })).visibility).toBe("public");
    // Now public, only admins change it.
    expect(await outcomeOf(bob.trpc.template.update({ id: shared.id, name: "Changed" }))).toBe(
      "FORBIDDEN: Only the team's admins can update a public template; you are an editor.",
    );
    expect(await outcomeOf(bob.trpc.template.delete({ id: shared.id }))).toBe("FORBIDDEN: Only the team's admins can delete a public template; you are an editor.");
  });

  it("a viewer uses a template in their personal team, where they are the owner", async () => {
    const viewer = await backend.signedUpClient("vic@example.com", "Vic");
    const personal = (await viewer.trpc.team.list()).find((t) => t.personal)?.id ?? "";
    await joinTeam(alice.trpc, viewer.trpc, "viewer", { open: true });
    const seeded = (await viewer.trpc.template.list({ shelf: "skyloom", search: "Chatbot" })).templates[0]?.id ?? "";
    expect(await outcomeOf(viewer.trpc.template.use({ id: seeded }))).toBe("FORBIDDEN: This needs the editor role in Acme; you are a viewer.");
    await viewer.trpc.team.switch({ teamId: personal });
    const { flowId } = await viewer.trpc.template.use({ id: seeded });
    expect((await viewer.trpc.flow.list()).map((f) => f.id)).toEqual([flowId]);
  });

  it("unshared (private): only its author and the team's admins see it", async () => {
    const { templateId } = await shareHello(bob, "Bob's draft");
    await bob.trpc.template.setVisibility({ id: templateId, visibility: "private" });
    expect((await bob.trpc.template.list({ shelf: "team" })).templates.map((c) => c.id)).toContain(templateId);
    expect((await alice.trpc.template.list({ shelf: "team" })).templates.map((c) => c.id)).toContain(templateId);
    expect((await vera.trpc.template.list({ shelf: "team" })).templates.map((c) => c.id)).not.toContain(templateId);
    expect(await outcomeOf(vera.trpc.template.get({ id: templateId }))).toBe("NOT_FOUND: Template not found.");
    expect(auditOf(templateId)).toEqual(["template.share", "template.unshare"]);
  });

  it("another team can never update, unshare or delete a public template, nor anyone Skyloom's", async () => {
    const { templateId } = await shareHello(alice, "Acme public", "public");
    const row = () => JSON.stringify(backend.db.select().from(templates).where(eq(templates.id, templateId)).get());
    const before = row();
    const refusal = (doing: string) => `FORBIDDEN: This template belongs to Acme; only that team can ${doing} it. Use it to make a flow of your own instead.`;
    expect(await outcomeOf(mallory.trpc.template.update({ id: templateId, name: "Pwned" }))).toBe(refusal("update"));
    expect(await outcomeOf(mallory.trpc.template.setVisibility({ id: templateId, visibility: "private" }))).toBe(refusal("unshare"));
    expect(await outcomeOf(mallory.trpc.template.delete({ id: templateId }))).toBe(refusal("delete"));
    expect(row()).toBe(before);

    const seeded = (await alice.trpc.template.list({ shelf: "skyloom" })).templates[0]?.id ?? "";
    expect(await outcomeOf(alice.trpc.template.delete({ id: seeded }))).toMatch(/^FORBIDDEN: Skyloom's own templates cannot be changed/);
  });
});

describe("versions and audit", () => {
  it("update makes a new version (graph from a newer flow); share, update, unshare and delete are audited", async () => {
    const { flowId, templateId } = await shareHello(alice, "Versioned");
    const graph: GraphDoc = helloAgentGraph();
    const prompt = graph.nodes.find((n) => n.id === "prompt");
    if (prompt) prompt.config = { template: "Reply like a pirate.\n\nQuestion: {input}" };
    const flow = await alice.trpc.flow.get({ id: flowId });
    await alice.trpc.flow.save({ id: flowId, graph, expectedRevision: flow.revision });
    expect(await alice.trpc.template.update({ id: templateId, flowId, readme: "# Pirate" })).toEqual({ id: templateId, version: 2 });
    expect(await alice.trpc.template.update({ id: templateId, tags: ["pirate"] })).toEqual({ id: templateId, version: 3 });
    const got = await alice.trpc.template.get({ id: templateId });
    expect(got).toMatchObject({ version: 3, readme: "# Pirate", tags: ["pirate"], name: "Versioned" });
    expect(got.versions.map((v) => v.number)).toEqual([3, 2, 1]);
    expect(JSON.stringify(got.fullGraph)).toContain("pirate");
    await alice.trpc.template.setVisibility({ id: templateId, visibility: "public" });
    await alice.trpc.template.setVisibility({ id: templateId, visibility: "private" });
    await alice.trpc.template.delete({ id: templateId });
    expect(auditOf(templateId)).toEqual(["template.share", "template.update", "template.update", "template.share", "template.unshare", "template.delete"]);
    expect(await outcomeOf(alice.trpc.template.get({ id: templateId }))).toBe("NOT_FOUND: Template not found.");
  });
});

describe("what a template never carries", () => {
  it("credentials, knowledge-base ids, secret variables, auth headers and URL keys are stripped; needs say what to supply", async () => {
    const credential = await alice.trpc.credential.create({ name: "OpenAI key", kind: "openai", secret: "sk-live-secret-123456" });
    const base = await alice.trpc.knowledge.create({ name: "Handbook" });
    const flow = await alice.trpc.flow.create({ name: "Secretive", graph: secretFlowGraph({ credentialId: credential.id, knowledgeBaseId: base.id }) });
    const { id } = await alice.trpc.template.saveFromFlow({ flowId: flow.id, name: "Secretive", visibility: "public", ...details });

    const stored = JSON.stringify(backend.db.select().from(templates).where(eq(templates.id, id)).get());
    for (const secret of [credential.id, base.id, "hf_plain_token_value", "Bearer abc.def", "q-key-999"]) expect(stored).not.toContain(secret);
    expect(backend.db.select().from(templates).where(like(templates.graph, `%${credential.id}%`)).all()).toEqual([]);

    const seen = await mallory.trpc.template.get({ id });
    expect(seen.needs).toEqual([
      { kind: "chat-model-credential", label: "An API key for OpenAI", provider: "openai", nodeIds: ["model"] },
      { kind: "credential", label: "A credential for HTTP Request", nodeIds: ["http"] },
      { kind: "knowledge-base", label: "A knowledge base for Knowledge Retriever", nodeIds: ["retriever"] },
      { kind: "deployed-model", label: "Deploys Llama 3.1 8B Instruct on rented GPUs", nodeIds: ["endpoint"] },
    ]);
    expect(seen.missing.map((m) => m.kind)).toEqual(["chat-model-credential", "credential", "knowledge-base"]);
    const http = seen.fullGraph.nodes.find((n) => n.id === "http")?.config as { url: string; headers: Record<string, string> };
    expect(http.url).toBe("https://api.example.com/search?q={query}&api_key=");
    expect(http.headers).toEqual({ Authorization: "", Accept: "application/json" });
    expect((await alice.trpc.template.get({ id })).missing).toEqual([]);

    // Mallory fills the needs with her own team's credential and knowledge base.
    const hers = await mallory.trpc.credential.create({ name: "Her key", kind: "openai", secret: "sk-hers-000000" });
    const herBase = await mallory.trpc.knowledge.create({ name: "Her docs" });
    const { flowId } = await mallory.trpc.template.use({
      id,
      bindings: [
        { nodeId: "model", credentialId: hers.id },
        { nodeId: "retriever", knowledgeBaseId: herBase.id },
      ],
    });
    const configs = (await mallory.trpc.flow.get({ id: flowId })).graph.nodes.map((n) => n.config as Record<string, unknown>);
    expect(configs.some((c) => c.credentialId === hers.id)).toBe(true);
    expect(configs.some((c) => c.knowledgeBaseId === herBase.id)).toBe(true);
  });

  it("a binding to another team's credential or knowledge base is refused, creating nothing", async () => {
    const theirs = await alice.trpc.credential.create({ name: "Acme key", kind: "openai", secret: "sk-acme-777777" });
    const theirBase = await alice.trpc.knowledge.create({ name: "Acme docs" });
    const faq = (await mallory.trpc.template.list({ shelf: "skyloom", category: "Knowledge" })).templates[0]?.id ?? "";
    const support = (await mallory.trpc.template.list({ shelf: "skyloom", search: "Chatbot with memory" })).templates[0]?.id ?? "";
    const before = [flowCount(), JSON.stringify(backend.db.select({ uses: templates.uses }).from(templates).all())];
    expect(await outcomeOf(mallory.trpc.template.use({ id: support, bindings: [{ nodeId: "model", credentialId: theirs.id }] }))).toBe("NOT_FOUND: Credential not found.");
    expect(await outcomeOf(mallory.trpc.template.use({ id: faq, bindings: [{ nodeId: "retriever", knowledgeBaseId: theirBase.id }] }))).toBe(
      "NOT_FOUND: Knowledge base not found.",
    );
    expect(await outcomeOf(mallory.trpc.template.use({ id: faq, bindings: [{ nodeId: "input", credentialId: theirs.id }] }))).toBe(
      'BAD_REQUEST: bindings: Chat Input "input" takes no credential.',
    );
    expect(await outcomeOf(mallory.trpc.template.use({ id: faq, bindings: [{ nodeId: "nope", knowledgeBaseId: theirBase.id }] }))).toBe(
      'BAD_REQUEST: bindings: the template has no node "nope".',
    );
    expect([flowCount(), JSON.stringify(backend.db.select({ uses: templates.uses }).from(templates).all())]).toEqual(before);
  });
});

describe("bad graphs", () => {
  it("a flow that does not validate is not shared; a stored template that no longer reads is not used; nothing is written", async () => {
    const output = { id: "out", type: helloAgentGraph().nodes[3]?.type ?? "", version: 1, config: {}, ui: { x: 0, y: 0 } };
    const broken = await alice.trpc.flow.create({ name: "Broken", graph: { schemaVersion: 1, nodes: [output], edges: [] } });
    const before = [flowCount(), templateCount()];
    expect(await outcomeOf(alice.trpc.template.saveFromFlow({ flowId: broken.id, name: "Broken", visibility: "team", ...details }))).toMatch(
      /^BAD_REQUEST: Fix this flow before sharing it as a template \(one problem\): E\d+ /,
    );
    const empty = await alice.trpc.flow.create({ name: "Empty" });
    expect(await outcomeOf(alice.trpc.template.saveFromFlow({ flowId: empty.id, name: "Empty", visibility: "team", ...details }))).toBe(
      "BAD_REQUEST: This flow is empty; add blocks before sharing it as a template.",
    );
    expect(templateCount()).toBe(before[1]);

    const { templateId } = await shareHello(alice, "Soon corrupt");
    backend.db.update(templates).set({ graph: { schemaVersion: 1, nodes: [{ id: "x", type: "no.such-block", version: 1, config: {}, ui: { x: 0, y: 0 } }], edges: [] } }).where(eq(templates.id, templateId)).run();
    const flowsBefore = flowCount();
    expect(await outcomeOf(alice.trpc.template.use({ id: templateId }))).toBe('BAD_REQUEST: Template "Soon corrupt" cannot be used: Unknown block type "no.such-block".');
    expect(flowCount()).toBe(flowsBefore);
    expect((await alice.trpc.template.list({ shelf: "team" })).templates.find((c) => c.id === templateId)?.uses).toBe(0);
  });
});
