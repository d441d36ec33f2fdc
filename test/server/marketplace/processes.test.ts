import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_EMBEDDING_DIMENSIONS } from "#server/dev-model/embeddings";
import type { DeploymentRef, LeaseEvent } from "#server/marketplace/marketplace";
import { deploymentFromFlow, endpointFlow, eventsUntil, startMarket, startNodeProcess, type Market, type NodeProcess } from "./support";

/**
 * The whole local marketplace on real processes: a matchmaker and three node programs (two
 * provider nodes, one fizz node) on 127.0.0.1. Each step waits on the deployment's events,
 * never on the clock; the heartbeat timeout is short so a failover happens within the test.
 */
let market: Market;
let cheap: NodeProcess;
let dear: NodeProcess;
let fizz: NodeProcess;
const nodes = () => [cheap, dear, fizz];

beforeAll(async () => {
  market = await startMarket({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1500 });
  [cheap, dear, fizz] = await Promise.all([
    startNodeProcess(market.server.url, ["--kind", "provider", "--name", "p-cheap", "--region", "us-east", "--tier", "community1", "--gpu", "a10:1", "--gpu", "l4:1", "--price-percent", "80"]),
    startNodeProcess(market.server.url, ["--kind", "provider", "--name", "p-dear", "--region", "us-west", "--tier", "community2", "--gpu", "a10:2", "--price-percent", "95"]),
    startNodeProcess(market.server.url, ["--kind", "fizz", "--name", "f-home", "--region", "us-east", "--tier", "community3", "--gpu", "rtx4090:1", "--price-percent", "60"]),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes().map((n) => n?.stop()));
  await market?.stop();
});

const byNode = (events: LeaseEvent[], type: LeaseEvent["type"]) => events.filter((e) => e.type === type).map((e) => e.data.nodeId as string);

async function askModel(ref: DeploymentRef) {
  const endpoint = await market.marketplace.endpoint(ref, { timeoutMs: 20_000 });
  const client = new OpenAI({ baseURL: endpoint.baseUrl, apiKey: endpoint.apiKey, maxRetries: 0 });
  const answer = await client.chat.completions.create({ model: endpoint.model, messages: [{ role: "user", content: "Say hello" }] });
  return { endpoint, client, text: answer.choices[0]?.message.content ?? "", model: answer.model };
}

describe("local marketplace on real node processes", () => {
  let ref: DeploymentRef;
  let firstLease = "";
  let seq = 0;

  it("orders a model endpoint: only matching nodes bid, the cheapest wins, the manifest is accepted, ready", async () => {
    expect((await market.marketplace.listOffers()).map((o) => o.name).sort()).toEqual(["f-home", "p-cheap", "p-dear"]);
    const dep = await market.marketplace.createDeployment(deploymentFromFlow(endpointFlow({})));
    ref = { teamId: "team-a", deploymentId: dep.id };
    const events = await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady");
    seq = events.at(-1)!.seq;
    expect(byNode(events, "BidPlaced").sort()).toEqual([cheap.nodeId, dear.nodeId].sort());
    expect(events.find((e) => e.type === "BidDeclined")).toMatchObject({ data: { nodeId: fizz.nodeId, reason: "the order is for provider nodes, this is a fizz node" } });
    expect(byNode(events, "LeaseCreated")).toEqual([cheap.nodeId]);
    expect(events.map((e) => e.type)).toContain("ManifestReceived");
    const status = await market.marketplace.status(ref);
    expect(status).toMatchObject({ status: "ready", node: { name: "p-cheap" }, lease: { state: "active", gpuModel: "a10" } });
    firstLease = status.lease!.id;
  });

  it("the lease's endpoint answers OpenAI clients: chat, streaming, embeddings, models, and refuses a wrong key", async () => {
    const { endpoint, client, text, model } = await askModel(ref);
    expect(model).toBe("Qwen/Qwen2.5-7B-Instruct");
    expect(text.length).toBeGreaterThan(0);
    const stream = await client.chat.completions.create({ model: endpoint.model, stream: true, messages: [{ role: "user", content: "Stream please" }] });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed.length).toBeGreaterThan(0);
    const embedded = await client.embeddings.create({ model: endpoint.model, input: ["a cat", "a dog"] });
    expect(embedded.data.map((d) => d.embedding.length)).toEqual([DEV_EMBEDDING_DIMENSIONS, DEV_EMBEDDING_DIMENSIONS]);
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(["Qwen/Qwen2.5-7B-Instruct"]);
    const stranger = new OpenAI({ baseURL: endpoint.baseUrl, apiKey: "wrong", maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toMatchObject({ status: 401 });
  });

  it("the node's request log and metrics reach the matchmaker with its heartbeats", async () => {
    await expect
      .poll(async () => (await market.marketplace.logs(ref)).filter((l) => l.line.includes("POST /v1/chat/completions")).length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    // Metrics travel with heartbeats too: the last request may arrive one heartbeat after the logs.
    await expect.poll(async () => (await market.marketplace.status(ref)).lease?.metrics?.requests ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const metrics = (await market.marketplace.status(ref)).lease?.metrics;
    expect(metrics?.completionTokens).toBeGreaterThan(0);
  });

  it("kill -9 of the serving node: the lease is re-ordered on another node, same deployment id", async () => {
    cheap.child.kill("SIGKILL");
    const events = await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady" && e.data.leaseId !== firstLease, seq);
    seq = events.at(-1)!.seq;
    expect(events.find((e) => e.type === "NodeDown")?.data.nodeId).toBe(cheap.nodeId);
    expect(events.find((e) => e.type === "LeaseClosed")?.data).toMatchObject({ leaseId: firstLease, reason: "node-down" });
    expect(events.find((e) => e.type === "OrderCreated")?.data).toMatchObject({ attempt: 2, excludedNodes: [cheap.nodeId] });
    expect(byNode(events, "LeaseCreated")).toEqual([dear.nodeId]);
    const status = await market.marketplace.status(ref);
    expect(status).toMatchObject({ id: ref.deploymentId, status: "ready", node: { name: "p-dear" } });
    expect((await askModel(ref)).text.length).toBeGreaterThan(0);
  });

  it("a restarted matchmaker reloads the lease, and the nodes carry on with it", async () => {
    const before = await market.marketplace.status(ref);
    const port = Number(new URL(market.server.url).port);
    await market.stop();
    market = await startMarket({ dbPath: market.dbPath, port, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1500 });
    const after = await market.marketplace.status(ref);
    expect(after).toMatchObject({ status: "ready", lease: { id: before.lease!.id, state: "active" } });
    expect((await askModel(ref)).text.length).toBeGreaterThan(0);
    // The surviving provider reconnected: it takes a new order with its other a10.
    const second = await market.marketplace.createDeployment(deploymentFromFlow(endpointFlow({ gpu: "a10" })));
    const ref2 = { teamId: "team-a", deploymentId: second.id };
    const events = await eventsUntil(market.marketplace, ref2, (e) => e.type === "ServiceReady" || e.type === "OrderClosed");
    expect(byNode(events, "LeaseCreated")).toEqual([dear.nodeId]);
    await market.marketplace.close(ref2);
  });

  it("two orders racing for the fizz node's one GPU never both win it", async () => {
    const fizzFlow = () => deploymentFromFlow(endpointFlow({ mode: "fizz", gpu: "rtx4090", region: "us-east" }));
    const [a, b] = await Promise.all([market.marketplace.createDeployment(fizzFlow()), market.marketplace.createDeployment(fizzFlow())]);
    const refs = [a, b].map((d) => ({ teamId: "team-a", deploymentId: d.id }));
    const outcomes = await Promise.all(refs.map((r) => eventsUntil(market.marketplace, r, (e) => e.type === "LeaseCreated" || e.type === "OrderClosed")));
    const won = outcomes.filter((events) => events.some((e) => e.type === "LeaseCreated"));
    expect(won).toHaveLength(1);
    expect(byNode(won[0]!, "LeaseCreated")).toEqual([fizz.nodeId]);
    const lost = outcomes.find((events) => !events.some((e) => e.type === "LeaseCreated"))!;
    expect(lost.find((e) => e.type === "OrderClosed")?.data.message).toMatch(/f-home: no free 1 × rtx4090/);
    await Promise.all(refs.map((r) => market.marketplace.close(r)));
  });
});
