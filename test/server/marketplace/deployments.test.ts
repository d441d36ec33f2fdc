import { eq } from "drizzle-orm";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentToolsBlock } from "#agents/blocks/agent-tools/block";
import { chatInputBlock } from "#agents/blocks/io-chat-input/block";
import { chatOutputBlock } from "#agents/blocks/io-chat-output/block";
import { modelEndpointBlock } from "#agents/blocks/model-endpoint/block";
import type { GraphDoc } from "#agents/graph/index";
import { endpointRequests } from "#db/schema";
import { prepareHotStatements } from "#db/hot-statements";
import type { RunEvent } from "#agents/runtime/events";
import type { EmbeddedNodeSpec } from "#server/marketplace/local/embedded-nodes";
import { MARKET_BASE_PATH } from "#server/marketplace/protocol";
import { EndpointRequestBuffer } from "#server/services/endpoint-request-buffer";
import { createTestBackend, type TestBackend, type TestClient } from "../../support/harness";
import { outcomeOf } from "../../support/trpc-errors";

/**
 * Deployments and endpoints through the routers, on real node processes: a provider node and
 * a fizz node join the test backend's matchmaker. Every wait is on a state a person would see
 * (the deployment's status), never on the clock.
 */
const NODES: EmbeddedNodeSpec[] = [
  { name: "t-provider", kind: "provider", region: "us-east", tier: "community1", gpus: ["a10:2", "l4:1"], cpu: 64, memoryGi: 256, pricePercent: 90 },
  { name: "t-fizz", kind: "fizz", region: "us-west", tier: "community3", gpus: ["rtx4090:1"], cpu: 16, memoryGi: 64, pricePercent: 70 },
];
const MARKET = { nodes: NODES, matchmaker: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1500, bidWindowMs: 2000 } };

let backend: TestBackend;
let owner: TestClient;
let stranger: TestClient;
let teamId = "";
let joinUrl = "";

beforeAll(async () => {
  backend = await createTestBackend({ adapters: { marketplace: MARKET } });
  joinUrl = await backend.services.market!.listenAndStartNodes();
  owner = await backend.signedUpClient("deployer@example.com");
  stranger = await backend.signedUpClient("stranger@example.com");
  teamId = (await owner.trpc.auth.me())?.team?.id ?? "";
}, 60_000);

afterAll(async () => {
  await backend?.close();
});

/** Chat input → agent (with the Model Endpoint as its model) → chat output. */
function agentOnEndpoint(endpointConfig: Record<string, unknown> = {}): GraphDoc {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "in", type: chatInputBlock.type, version: 1, config: {}, ui: { x: 0, y: 0 } },
      { id: "llm", type: modelEndpointBlock.type, version: 1, config: { name: "llm", durationHours: 1, ...endpointConfig }, ui: { x: 0, y: 200, label: "My Qwen" } },
      { id: "agent", type: agentToolsBlock.type, version: 1, config: {}, ui: { x: 300, y: 0 } },
      { id: "out", type: chatOutputBlock.type, version: 1, config: {}, ui: { x: 600, y: 0 } },
    ],
    edges: [
      { id: "e1", from: { node: "in", port: "message" }, to: { node: "agent", port: "prompt" } },
      { id: "e2", from: { node: "llm", port: "model" }, to: { node: "agent", port: "model" } },
      { id: "e3", from: { node: "agent", port: "text" }, to: { node: "out", port: "message" } },
    ],
  };
}

async function chatRun(flowId: string, input: string) {
  const { runId } = await owner.trpc.run.start({ flowId, input, conversationId: `c-${Date.now()}` });
  const events: RunEvent[] = [];
  for await (const e of await owner.trpc.run.events({ id: runId })) events.push((e as unknown as [string, RunEvent])[1]);
  return events.at(-1) as Extract<RunEvent, { type: "run.finish" }>;
}

const waitForStatus = (get: () => Promise<{ status: string }>, status: string) => expect.poll(async () => (await get()).status, { timeout: 30_000, interval: 100 }).toBe(status);

describe("deploying a flow from the router", () => {
  let flowId = "";
  let deploymentId = "";

  it("before it is deployed: validation warns in words, publishing refuses, the chat says what to do", async () => {
    flowId = (await owner.trpc.flow.create({ name: "Qwen agent", graph: agentOnEndpoint() })).id;
    const preview = await owner.trpc.compile.preview({ flowId, targets: ["spheron-icl"] });
    expect(preview.diagnostics).toContainEqual(expect.objectContaining({ code: "E317", severity: "warning", node: "llm", message: 'Deploy this flow\'s model endpoint first: Model Endpoint "My Qwen" is not deployed; open Deploy and press Deploy.' }));
    expect(await outcomeOf(owner.trpc.agent.publish({ flowId }))).toBe('BAD_REQUEST: Deploy this flow\'s model endpoint first: Model Endpoint "My Qwen" is not deployed; open Deploy and press Deploy.');
    const finish = await chatRun(flowId, "hello");
    expect(finish).toMatchObject({ status: "failed" });
    expect(finish.error).toContain("Deploy this flow's model endpoint first");
  });

  it("quotes from the live nodes: the provider's price, and why the fizz node would not bid", async () => {
    const quote = await owner.trpc.deployment.quote({ flowId });
    expect(quote.source).toBe("live");
    const [group] = quote.groups;
    expect(group?.offers.map((o) => [o.nodeName, o.gpuModel])).toEqual([["t-provider", "a10"]]);
    expect(group?.unavailable).toEqual([{ nodeName: "t-fizz", reason: "the order is for provider nodes, this is a fizz node" }]);
    expect(quote.low).toEqual(group?.offers[0]?.price);
    expect(BigInt(quote.low.weiPerSecond)).toBeLessThan(BigInt(quote.catalog.weiPerSecond));
  });

  it("deploys: bids table, lease, manifest hash, ready; the agent answers in the test chat through the lease", async () => {
    const [created] = await owner.trpc.deployment.create({ flowId, durationHours: null });
    deploymentId = created!.id;
    expect(created).toMatchObject({ flowId, state: "active", durationHours: null, replicas: 1 });
    await waitForStatus(() => owner.trpc.deployment.get({ id: deploymentId }), "ready");
    const detail = await owner.trpc.deployment.get({ id: deploymentId });
    expect(detail.node).toMatchObject({ name: "t-provider", region: "us-east", tier: "community1", kind: "provider" });
    expect(detail.manifestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.bids).toEqual([
      expect.objectContaining({ nodeName: "t-provider", region: "us-east", tier: "community1", gpuModel: "a10", won: true, declined: null }),
      expect.objectContaining({ nodeName: "t-fizz", price: null, won: false, declined: "the order is for provider nodes, this is a fizz node" }),
    ]);
    expect(detail.price?.sponPerHour).toBe(detail.bids[0]?.price?.sponPerHour);
    expect(detail.backend).toContain("local development model");
    const { events, last } = await owner.trpc.deployment.events({ id: deploymentId });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["OrderCreated", "BidPlaced", "BidDeclined", "OrderMatched", "LeaseCreated", "ManifestReceived", "ServiceReady"]));
    expect(events.find((e) => e.type === "BidPlaced")?.text).toMatch(/^Bid from t-provider \(us-east, community1\): [\d.]+ SPON\/h on a10\.$/);
    expect((await owner.trpc.deployment.events({ id: deploymentId, after: last })).events).toEqual([]);

    const finish = await chatRun(flowId, "Say hello");
    expect(finish.status).toBe("succeeded");
    expect(finish.output).toContain('You said: "Say hello"');
    // The lease's own request log shows the call: the answer came through the deployed endpoint.
    const ref = { teamId, deploymentId: (await backend.services.deployments.statusOf(backend.services.deployments.deploymentsServing(teamId, flowId, "llm")[0]!)).id };
    await expect.poll(async () => (await backend.services.marketplace.logs(ref)).some((l) => l.line.includes("POST /v1/chat/completions")), { timeout: 10_000 }).toBe(true);

    expect((await owner.trpc.compile.preview({ flowId, targets: ["spheron-icl"] })).diagnostics.filter((d) => d.code === "E317")).toEqual([]);
    expect((await owner.trpc.agent.publish({ flowId })).status).toBe("active");
  });

  it("another team's ids are NOT_FOUND", async () => {
    expect(await outcomeOf(stranger.trpc.deployment.get({ id: deploymentId }))).toBe("NOT_FOUND: Deployment not found.");
    expect(await outcomeOf(stranger.trpc.deployment.stop({ id: deploymentId }))).toBe("NOT_FOUND: Deployment not found.");
    expect(await outcomeOf(stranger.trpc.deployment.quote({ flowId }))).toMatch(/^NOT_FOUND: /);
    expect(await stranger.trpc.deployment.list()).toEqual([]);
  });

  it("more replicas than the nodes can hold: the new order finds no bids and the old deployment keeps serving", async () => {
    const [bigger] = await owner.trpc.deployment.setReplicas({ id: deploymentId, replicas: 2 });
    expect(bigger).toMatchObject({ replicas: 2, replacesId: deploymentId });
    await waitForStatus(() => owner.trpc.deployment.get({ id: bigger!.id }), "failed");
    await expect.poll(async () => (await owner.trpc.deployment.get({ id: deploymentId })).state, { timeout: 10_000 }).toBe("active");
    expect(await owner.trpc.deployment.get({ id: bigger!.id })).toMatchObject({ state: "stopped", message: expect.stringMatching(/^No bids: /) });
    expect((await chatRun(flowId, "still there?")).status).toBe("succeeded");
  });

  it("redeploy: the old one serves until the new one is ready, then stops", async () => {
    const [next] = await owner.trpc.deployment.redeploy({ id: deploymentId });
    expect(next).toMatchObject({ replicas: 1, replacesId: deploymentId, versionNumber: expect.any(Number) });
    expect((await owner.trpc.deployment.get({ id: deploymentId })).state).toBe("replacing");
    await waitForStatus(() => owner.trpc.deployment.get({ id: next!.id }), "ready");
    await expect.poll(async () => (await owner.trpc.deployment.get({ id: deploymentId })).state, { timeout: 10_000 }).toBe("stopped");
    expect((await owner.trpc.deployment.get({ id: deploymentId })).status).toBe("closed");
    expect((await chatRun(flowId, "again")).status).toBe("succeeded");
    deploymentId = next!.id;
  });

  it("stop: the deployment closes and the chat says to deploy again", async () => {
    expect(await owner.trpc.deployment.stop({ id: deploymentId })).toMatchObject({ state: "stopped", status: "closed" });
    const finish = await chatRun(flowId, "hello?");
    expect(finish.status).toBe("failed");
    expect(finish.error).toContain("Deploy this flow's model endpoint first");
  });

  it("an order no node can serve fails with the 'No bids: …' sentence", async () => {
    const far = (await owner.trpc.flow.create({ name: "Far away", graph: agentOnEndpoint({ gpu: "a100-80g", region: "eu-west" }) })).id;
    const [dep] = await owner.trpc.deployment.create({ flowId: far, durationHours: 2 });
    await waitForStatus(() => owner.trpc.deployment.get({ id: dep!.id }), "failed");
    const { message } = await owner.trpc.deployment.get({ id: dep!.id });
    expect(message).toMatch(/^No bids: nothing offers 1 × a100-80g in eu-west as a provider node under [\d.]+ SPON\/h\. Relax the region, GPU, mode or price\. Nodes said: /);
    expect(message).toContain("t-provider: region us-east is not one of eu-west");
  });
});

describe("one-click model endpoints", () => {
  let endpointId = "";
  let slug = "";

  async function chatThrough(id: string) {
    const served = await backend.services.endpoints.serving(teamId, id, { timeoutMs: 30_000 });
    const client = new OpenAI({ baseURL: served.baseUrl, apiKey: served.apiKey, maxRetries: 0 });
    const started = Date.now();
    const answer = await client.chat.completions.create({ model: served.model, messages: [{ role: "user", content: "Hi endpoint" }] });
    backend.services.endpoints.recordRequest({ teamId, endpointId: id, apiKeyId: null, promptTokens: answer.usage?.prompt_tokens ?? 0, completionTokens: answer.usage?.completion_tokens ?? 0, latencyMs: Date.now() - started, status: 200, at: Date.now() });
    return answer.choices[0]?.message.content ?? "";
  }

  it("the catalog: search and filters, GPUs picked with a reason, live prices", async () => {
    const found = await owner.trpc.endpoint.catalog({ search: "qwen 7b", task: "chat", size: "small" });
    const qwen = found.find((m) => m.id === "Qwen/Qwen2.5-7B-Instruct");
    expect(qwen?.gpu).toMatchObject({ id: "a10", count: 1 });
    expect(qwen?.gpu.reason).toMatch(/^Qwen 2\.5 7B Instruct needs about 21 GB of GPU memory with vllm .* 1 × NVIDIA A10 24 GB is the cheapest that holds it/);
    expect(qwen?.live?.offers).toBe(1);
    expect(found.every((m) => m.task === "chat" && m.size === "small" && /qwen/i.test(m.title))).toBe(true);
    expect((await owner.trpc.endpoint.catalog({ task: "embeddings" })).every((m) => m.task === "embeddings")).toBe(true);
  });

  it("create → ready → chat through its serving URL; metrics count the request", async () => {
    const created = await owner.trpc.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: null, idleMinutes: 5 });
    endpointId = created.id;
    slug = created.slug;
    expect(slug).toMatch(/^qwen-2-5-7b-instruct-[a-z2-9]{4}$/);
    expect(created.url).toBe(`${backend.services.config.publicUrl}/v1`);
    await waitForStatus(() => owner.trpc.endpoint.get({ id: endpointId }), "ready");
    expect(await chatThrough(endpointId)).toContain("Hi endpoint");
    const metrics = await owner.trpc.endpoint.metrics({ id: endpointId, range: "1h" });
    expect(metrics.totals).toMatchObject({ requests: 1, errors: 0 });
    await expect.poll(async () => (await owner.trpc.endpoint.logs({ id: endpointId, search: "chat/completions" })).lines.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(backend.services.endpoints.findBySlug(teamId, slug)?.id).toBe(endpointId);
    expect(await outcomeOf(stranger.trpc.endpoint.get({ id: endpointId }))).toBe("NOT_FOUND: Endpoint not found.");
    expect(backend.services.endpoints.findBySlug((await stranger.trpc.auth.me())?.team?.id ?? "", slug)).toBeNull();
  });

  it("stop and start keep the slug; a stopped endpoint says so", async () => {
    const stopped = await owner.trpc.endpoint.stop({ id: endpointId });
    expect(stopped).toMatchObject({ state: "stopped", status: "stopped", slug });
    await expect(backend.services.endpoints.serving(teamId, endpointId, { timeoutMs: 1000 })).rejects.toThrow(`The endpoint ${slug} is stopped; start it on its page.`);
    const started = await owner.trpc.endpoint.start({ id: endpointId });
    expect(started.slug).toBe(slug);
    expect(started.deploymentId).not.toBe(stopped.deploymentId);
    await waitForStatus(() => owner.trpc.endpoint.get({ id: endpointId }), "ready");
    expect(await chatThrough(endpointId)).toContain("Hi endpoint");
  });

  it("sleeps after its idle minutes and wakes on the next request", async () => {
    expect(await backend.services.endpoints.sleepIdle(Date.now() + 4 * 60_000)).toEqual([]);
    expect(await backend.services.endpoints.sleepIdle(Date.now() + 6 * 60_000)).toEqual([endpointId]);
    expect((await owner.trpc.endpoint.get({ id: endpointId })).status).toBe("sleeping");
    expect(await chatThrough(endpointId)).toContain("Hi endpoint");
    expect((await owner.trpc.endpoint.get({ id: endpointId })).status).toBe("ready");
  });

  it("request records are written in batches, yet the idle check, the metrics and a stop see them at once", async () => {
    const { endpoints } = backend.services;
    const stored = async () => (await owner.trpc.endpoint.metrics({ id: endpointId, range: "1h" })).totals.requests;
    const before = await stored();
    const record = (at: number) => endpoints.recordRequest({ teamId, endpointId, apiKeyId: null, promptTokens: 3, completionTokens: 2, latencyMs: 4, status: 200, at });
    // A request that started a minute from "now": the idle check (5 minutes) must count it.
    const at = Date.now() + 60_000;
    record(at);
    expect(await endpoints.sleepIdle(at + 4 * 60_000)).toEqual([]);
    expect((await owner.trpc.endpoint.get({ id: endpointId })).lastRequestAt).toBe(at);
    expect(await stored()).toBe(before + 1);
    // Recorded just before the service stops: written by the stop (before the database closes).
    record(Date.now());
    endpoints.close();
    record(Date.now()); // a request still finishing after the stop is written at once
    const rows = backend.services.db.select().from(endpointRequests).where(eq(endpointRequests.endpointId, endpointId)).all();
    expect(rows).toHaveLength(before + 3);
  });

  it("delete closes it and removes it", async () => {
    // A request recorded just before the delete must not block its batch: its row goes with the endpoint.
    const batch = new EndpointRequestBuffer(backend.services.db, prepareHotStatements(backend.sqlite), 60_000);
    batch.record({ teamId, endpointId, apiKeyId: null, promptTokens: 1, completionTokens: 1, latencyMs: 1, status: 200, at: Date.now() });
    expect(backend.services.endpoints.findBySlug(teamId, slug)?.id).toBe(endpointId);
    await owner.trpc.endpoint.delete({ id: endpointId });
    expect(() => batch.stop()).not.toThrow();
    expect(await outcomeOf(owner.trpc.endpoint.get({ id: endpointId }))).toBe("NOT_FOUND: Endpoint not found.");
    expect(backend.services.endpoints.findBySlug(teamId, slug)).toBeNull();
  });
});

describe("node join tokens", () => {
  const joinAs = (token: string) =>
    fetch(`${joinUrl}/join`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, kind: "fizz", name: "home-pc", region: "us-west", tier: "community4", inventory: { gpus: [{ model: "rtx3090", count: 1 }], cpu: 8, memoryGi: 32, storageGi: 500 }, capabilities: { modelServing: null, containers: false } }),
    });

  it("a forged token is refused; a team's token admits a node until it is revoked", async () => {
    expect(joinUrl.endsWith(MARKET_BASE_PATH)).toBe(true);
    const forged = await joinAs("sky_nt_forgedforgedforgedforgedforgedforg");
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: "The join token is not valid for this marketplace; make one in Settings → Nodes." });
    const made = await owner.trpc.node.joinTokens.create({ name: "Gaming PC" });
    expect(made.token).toMatch(/^sky_nt_/);
    expect(JSON.stringify(await owner.trpc.node.joinTokens.list())).not.toContain(made.token);
    expect((await joinAs(made.token)).status).toBe(200);
    await owner.trpc.node.joinTokens.revoke({ id: made.id });
    expect((await joinAs(made.token)).status).toBe(401);
    expect((await owner.trpc.node.list()).map((n) => n.name)).toEqual(expect.arrayContaining(["t-provider", "t-fizz", "home-pc"]));
  });
});
