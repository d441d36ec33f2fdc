import { afterEach, describe, expect, it } from "vitest";
import { LocalMarketplace } from "#server/marketplace/local/local-marketplace";
import { Matchmaker } from "#server/marketplace/local/matchmaker";
import { MarketplaceError, type DeploymentRef } from "#server/marketplace/marketplace";
import { MatchmakerClient, MatchmakerError } from "#server/marketplace/node/client";
import type { WorkSnapshot } from "#server/marketplace/protocol";
import { deploymentFromFlow, endpointFlow, eventsUntil, flowFixture, JOIN_TOKEN, startMarket, type Market } from "./support";

/**
 * The matchmaker against scripted nodes: the test plays the node's side of the protocol over
 * HTTP, so it can also misbehave (bid twice for one GPU, report a wrong manifest hash, never
 * accept a manifest) in ways the real node program never would.
 */
let market: Market | null = null;
afterEach(async () => {
  await market?.stop();
  market = null;
});

async function fakeNode(m: Market, name: string, over: { kind?: "provider" | "fizz"; gpus?: { model: string; count: number }[]; region?: string; tier?: "community1" | "secured1" } = {}) {
  const client = new MatchmakerClient(m.server.url);
  const joined = await client.join({
    token: JOIN_TOKEN,
    kind: over.kind ?? "provider",
    name,
    region: over.region ?? "us-east",
    tier: over.tier ?? "community1",
    inventory: { gpus: over.gpus ?? [{ model: "a10", count: 1 }], cpu: 32, memoryGi: 128, storageGi: 1000 },
    capabilities: { modelServing: { backend: "dev-model", label: "dev" }, containers: false },
  });
  client.setCredentials(joined.nodeId, joined.secret);
  return { client, nodeId: joined.nodeId };
}

const qwen = () => deploymentFromFlow(endpointFlow({ gpu: "a10" }));

async function snapshotWith(client: MatchmakerClient, ok: (s: WorkSnapshot) => boolean): Promise<WorkSnapshot> {
  let version: number | undefined;
  for (;;) {
    const s = await client.work(version);
    if (ok(s)) return s;
    version = s.version;
  }
}

describe("matchmaker", () => {
  it("refuses a forged join token and a wrong node secret", async () => {
    market = await startMarket();
    const client = new MatchmakerClient(market.server.url);
    const attrs = { kind: "provider" as const, name: "x", region: "us-east", tier: "community1" as const, inventory: { gpus: [], cpu: 1, memoryGi: 1, storageGi: 1 }, capabilities: { modelServing: null, containers: false } };
    await expect(client.join({ ...attrs, token: "forged" })).rejects.toMatchObject({ status: 401, message: expect.stringContaining("join token is not valid") });
    const { nodeId } = await fakeNode(market, "real");
    await expect(client.join({ ...attrs, nodeId, secret: "guess" })).rejects.toMatchObject({ status: 401 });
    client.setCredentials(nodeId, "guess");
    await expect(client.work(undefined)).rejects.toBeInstanceOf(MatchmakerError);
  });

  it("keeps a lease's newest log lines, up to its limit, across reports", async () => {
    market = await startMarket({ logLinesPerLease: 3 });
    const a = await fakeNode(market, "a");
    const dep = await market.marketplace.createDeployment(qwen());
    const ref = { teamId: "team-a", deploymentId: dep.id };
    const order = (await a.client.work(undefined)).orders[0]!;
    await a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "20000000000000", gpuModel: "a10" } });
    const lease = (await snapshotWith(a.client, (s) => s.leases.length > 0)).leases[0]!;
    const { manifestHash } = await import("#server/marketplace/rules");
    await a.client.manifest(lease.leaseId, { accepted: true, hash: manifestHash(lease.manifest) });
    const report = (lines: string[]) =>
      a.client.report(lease.leaseId, { services: [{ name: "llm", state: "ready", uri: "http://127.0.0.1:9/v1", message: null }], metrics: null, logs: lines.map((line, i) => ({ at: i, line })) });
    await report(["one", "two"]);
    expect((await market.marketplace.logs(ref)).map((l) => l.line)).toEqual(["one", "two"]);
    await report(["three", "four", "five"]);
    expect((await market.marketplace.logs(ref)).map((l) => l.line)).toEqual(["three", "four", "five"]);
    await report(["six"]);
    expect((await market.marketplace.logs(ref)).map((l) => l.line)).toEqual(["four", "five", "six"]);
  });

  it("the cheapest bid wins once every live node answered; the manifest is accepted by hash; ready serves", async () => {
    market = await startMarket();
    const a = await fakeNode(market, "a");
    const b = await fakeNode(market, "b");
    const dep = await market.marketplace.createDeployment(qwen());
    const ref = { teamId: "team-a", deploymentId: dep.id };
    const order = (await a.client.work(undefined)).orders[0]!;
    expect(order.manifestHash).toBe(dep.manifestHash);
    await a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "30000000000000", gpuModel: "a10" } });
    await b.client.answer(order.orderId, { bid: { priceWeiPerSecond: "20000000000000", gpuModel: "a10" } });
    const leased = await market.marketplace.status(ref);
    expect(leased).toMatchObject({ status: "leased", lease: { nodeId: b.nodeId, priceWeiPerSecond: 20000000000000n, state: "awaiting-manifest" } });

    const lease = (await snapshotWith(b.client, (s) => s.leases.length > 0)).leases[0]!;
    const { manifestHash } = await import("#server/marketplace/rules");
    expect(manifestHash(lease.manifest)).toBe(dep.manifestHash);
    await b.client.manifest(lease.leaseId, { accepted: true, hash: manifestHash(lease.manifest) });
    await b.client.report(lease.leaseId, { services: [{ name: "llm", state: "ready", uri: "http://127.0.0.1:9/v1", message: null }], metrics: null, logs: [{ at: 1, line: "hello" }] });
    const ready = await market.marketplace.status(ref);
    expect(ready.status).toBe("ready");
    await expect(market.marketplace.endpoint(ref)).resolves.toMatchObject({ baseUrl: "http://127.0.0.1:9/v1", model: "Qwen/Qwen2.5-7B-Instruct", apiKey: lease.accessToken });
    expect((await market.marketplace.logs(ref)).map((l) => l.line)).toEqual(["hello"]);
    const types = (await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady")).map((e) => e.type);
    expect(types).toEqual(["OrderCreated", "BidPlaced", "BidPlaced", "OrderMatched", "LeaseCreated", "ManifestReceived", "ServiceReady"]);
  });

  it("a container-only lease reported not-run is ready as leased, is never served, and fails over when its node goes silent", async () => {
    market = await startMarket();
    const a = await fakeNode(market, "a", { tier: "secured1" });
    const b = await fakeNode(market, "b", { tier: "secured1" });
    // Both nodes heartbeat until the test silences one, as a killed node would go silent.
    const beating = new Set([a, b]);
    const beat = setInterval(() => beating.forEach((n) => void n.client.heartbeat({ leases: {} }).catch(() => undefined)), 100);
    try {
      const dep = await market.marketplace.createDeployment(deploymentFromFlow(flowFixture("container-with-redis")));
      const ref = { teamId: "team-a", deploymentId: dep.id };
      const order = (await a.client.work(undefined)).orders[0]!;
      await a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "1000", gpuModel: null } });
      await b.client.answer(order.orderId, { bid: { priceWeiPerSecond: "2000", gpuModel: null } });
      const lease = (await snapshotWith(a.client, (s) => s.leases.length > 0)).leases[0]!;
      const { manifestHash } = await import("#server/marketplace/rules");
      await a.client.manifest(lease.leaseId, { accepted: true, hash: manifestHash(lease.manifest) });
      const notRun = (service: string, image: string) => ({ name: service, state: "not-run" as const, uri: null, message: `no engine for ${image}`, notRun: { reason: "no-container-engine" as const, image } });
      await a.client.report(lease.leaseId, { services: [notRun("agent-api", "ghcr.io/x/agent-runtime:1.4.2"), notRun("cache", "redis:7.2-alpine")], metrics: null, logs: [] });

      const ready = await market.marketplace.status(ref);
      expect(ready).toMatchObject({ status: "ready", lease: { nodeId: a.nodeId, state: "active" } });
      expect(ready.lease?.services.map((s) => [s.name, s.state, s.notRun?.image])).toEqual([
        ["agent-api", "not-run", "ghcr.io/x/agent-runtime:1.4.2"],
        ["cache", "not-run", "redis:7.2-alpine"],
      ]);
      const types = (await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceNotRun" && e.data.service === "cache")).map((e) => e.type);
      expect(types.slice(-2)).toEqual(["ServiceNotRun", "ServiceNotRun"]);
      // Nothing is served from a container that is not run.
      await expect(market.marketplace.endpoint(ref)).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("serves no model") });

      // The lease is watched like any other: its node goes silent, and it moves to the other node.
      beating.delete(a);
      const moved = await eventsUntil(market.marketplace, ref, (e) => e.type === "OrderCreated" && e.data.attempt === 2);
      expect(moved.find((e) => e.type === "LeaseClosed")?.data).toMatchObject({ leaseId: lease.leaseId, reason: "node-down" });
      const reorder = (await snapshotWith(b.client, (s) => s.orders.length > 0)).orders[0]!;
      await b.client.answer(reorder.orderId, { bid: { priceWeiPerSecond: "2000", gpuModel: null } });
      expect(await market.marketplace.status(ref)).toMatchObject({ status: "leased", lease: { nodeId: b.nodeId } });
    } finally {
      clearInterval(beat);
    }
  });

  it("a node saying it serves at the cloud metadata address fails that lease, and the address is never handed out", async () => {
    market = await startMarket();
    const a = await fakeNode(market, "a");
    const dep = await market.marketplace.createDeployment(qwen());
    const ref = { teamId: "team-a", deploymentId: dep.id };
    const order = (await a.client.work(undefined)).orders[0]!;
    await a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "1000", gpuModel: "a10" } });
    const lease = (await snapshotWith(a.client, (s) => s.leases.length > 0)).leases[0]!;
    const { manifestHash } = await import("#server/marketplace/rules");
    await a.client.manifest(lease.leaseId, { accepted: true, hash: manifestHash(lease.manifest) });
    await a.client.report(lease.leaseId, { services: [{ name: "llm", state: "ready", uri: "http://169.254.169.254/latest/meta-data/?", message: null }], metrics: null, logs: [] });
    const events = await eventsUntil(market.marketplace, ref, (e) => e.type === "LeaseClosed");
    expect(events.find((e) => e.type === "ServiceFailed")?.data).toMatchObject({ uri: null, message: "The node's address for llm is refused: 169.254.169.254 is a cloud metadata service, which the host never connects to." });
    expect(events.find((e) => e.type === "LeaseClosed")?.data.reason).toBe("workload-failed");
    expect(events.some((e) => e.type === "ServiceReady")).toBe(false);
    expect((await market.marketplace.status(ref)).lease?.services.map((s) => s.uri) ?? []).not.toContain("http://169.254.169.254/latest/meta-data/?");
  });

  it("a wrong manifest hash closes the lease and re-orders without that node, same deployment", async () => {
    market = await startMarket();
    const a = await fakeNode(market, "a");
    const dep = await market.marketplace.createDeployment(qwen());
    const ref = { teamId: "team-a", deploymentId: dep.id };
    const order = (await a.client.work(undefined)).orders[0]!;
    await a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "1000", gpuModel: "a10" } });
    await fakeNode(market, "b"); // joins after the match: the re-order waits for its answer
    const lease = (await snapshotWith(a.client, (s) => s.leases.length > 0)).leases[0]!;
    await a.client.manifest(lease.leaseId, { accepted: true, hash: "0".repeat(64) });
    const events = await eventsUntil(market.marketplace, ref, (e) => e.type === "OrderCreated" && e.data.attempt === 2);
    expect(events.find((e) => e.type === "ManifestRejected")?.data.reason).toMatch(/reported manifest hash 000000000000…/);
    expect(events.find((e) => e.type === "LeaseClosed")?.data.reason).toBe("manifest-rejected");
    const status = await market.marketplace.status(ref);
    expect(status).toMatchObject({ id: dep.id, status: "ordering", order: { attempt: 2, excludedNodes: [a.nodeId] } });
    // The excluded node is not offered the re-order.
    expect((await a.client.work(undefined)).orders).toEqual([]);
  });

  it("the watchdog closes a lease whose node never accepts the manifest", async () => {
    market = await startMarket({ manifestTimeoutMs: 150 });
    const a = await fakeNode(market, "a");
    const dep = await market.marketplace.createDeployment(qwen());
    const order = (await a.client.work(undefined)).orders[0]!;
    await a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "1000", gpuModel: "a10" } });
    const events = await eventsUntil(market.marketplace, { teamId: "team-a", deploymentId: dep.id }, (e) => e.type === "LeaseClosed");
    expect(events.at(-1)?.data.reason).toBe("manifest-timeout");
  });

  it("refuses a bid over the maximum, a zero bid and a second answer from one node", async () => {
    market = await startMarket();
    const a = await fakeNode(market, "a");
    await fakeNode(market, "b"); // keeps the order open after a's answer
    const dep = await market.marketplace.createDeployment(qwen());
    const order = (await a.client.work(undefined)).orders[0]!;
    const over = (dep.maxPriceWeiPerSecond + 1n).toString();
    await expect(a.client.answer(order.orderId, { bid: { priceWeiPerSecond: over, gpuModel: "a10" } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining("BidPriceExceedsMaxPrice") });
    await expect(a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "0", gpuModel: "a10" } })).rejects.toMatchObject({ status: 400 });
    await a.client.answer(order.orderId, { decline: "busy" });
    await expect(a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "5", gpuModel: "a10" } })).rejects.toMatchObject({ status: 409 });
  });

  it("a node bidding its one GPU on two orders wins only one of them", async () => {
    market = await startMarket();
    const greedy = await fakeNode(market, "greedy", { gpus: [{ model: "a10", count: 1 }] });
    const first = await market.marketplace.createDeployment(qwen());
    const second = await market.marketplace.createDeployment(qwen());
    const orders = (await greedy.client.work(undefined)).orders;
    expect(orders).toHaveLength(2);
    await Promise.all(orders.map((o) => greedy.client.answer(o.orderId, { bid: { priceWeiPerSecond: "1000", gpuModel: "a10" } })));
    const statuses = await Promise.all([first, second].map((d) => market!.marketplace.status({ teamId: "team-a", deploymentId: d.id })));
    expect(statuses.map((s) => s.status).sort()).toEqual(["failed", "leased"]);
    expect(statuses.find((s) => s.status === "failed")?.message).toMatch(/greedy: its GPUs were taken by another lease/);
  });

  it("no bids: the deployment fails with what was asked and what nodes said", async () => {
    market = await startMarket();
    const a = await fakeNode(market, "p1", { region: "us-east" });
    const dep = await market.marketplace.createDeployment(deploymentFromFlow(endpointFlow({ gpu: "a100-80g", region: "germany", maxPricePerHour: 2 })));
    const order = (await a.client.work(undefined)).orders[0]!;
    await a.client.answer(order.orderId, { decline: "region us-east is not one of germany" });
    const status = await market.marketplace.status({ teamId: "team-a", deploymentId: dep.id });
    expect(status.status).toBe("failed");
    expect(status.message).toBe("No bids: nothing offers 1 × a100-80g in germany as a provider node under 2 SPON/h. Relax the region, GPU, mode or price. Nodes said: p1: region us-east is not one of germany.");
    await expect(market.marketplace.endpoint({ teamId: "team-a", deploymentId: dep.id })).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("a restarted matchmaker reloads the open order and the node's bid decides it", async () => {
    market = await startMarket();
    const a = await fakeNode(market, "a");
    await fakeNode(market, "b"); // never answers, so the order stays open
    const dep = await market.marketplace.createDeployment(qwen());
    const order = (await a.client.work(undefined)).orders[0]!;
    await a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "1000", gpuModel: "a10" } });
    const { db } = market;
    market.matchmaker.stop();
    await market.server.close();

    const matchmaker = new Matchmaker({ db: db.db, joinTokens: [JOIN_TOKEN], bidWindowMs: 3000 });
    matchmaker.start();
    const marketplace = new LocalMarketplace(matchmaker);
    const ref: DeploymentRef = { teamId: "team-a", deploymentId: dep.id };
    expect(await marketplace.status(ref)).toMatchObject({ status: "ordering", order: { id: order.orderId, state: "open" } });
    matchmaker.decide(order.orderId); // the bid window's end, as the reloaded timer would
    expect(await marketplace.status(ref)).toMatchObject({ status: "leased", lease: { nodeId: a.nodeId } });
    matchmaker.stop();
  });

  it("scale to zero: sleep ends the lease but keeps the deployment; the next endpoint() wakes it with a new order", async () => {
    market = await startMarket();
    const a = await fakeNode(market, "a", { gpus: [{ model: "a10", count: 1 }] });
    const { manifestHash } = await import("#server/marketplace/rules");
    const dep = await market.marketplace.createDeployment(qwen());
    const ref = { teamId: "team-a", deploymentId: dep.id };
    // Plays the node: bid on every order offered, accept every lease's manifest, report ready.
    const serveOnce = async () => {
      const order = (await snapshotWith(a.client, (s) => s.orders.some((o) => !o.answered))).orders.find((o) => !o.answered)!;
      await a.client.answer(order.orderId, { bid: { priceWeiPerSecond: "1000", gpuModel: "a10" } });
      const lease = (await snapshotWith(a.client, (s) => s.leases.some((l) => l.orderId === order.orderId))).leases.find((l) => l.orderId === order.orderId)!;
      await a.client.manifest(lease.leaseId, { accepted: true, hash: manifestHash(lease.manifest) });
      await a.client.report(lease.leaseId, { services: [{ name: "llm", state: "ready", uri: `http://127.0.0.1:9/${lease.leaseId}`, message: null }], metrics: null, logs: [] });
      return lease.leaseId;
    };
    const first = await serveOnce();
    const asleep = await market.marketplace.sleep(ref);
    expect(asleep).toMatchObject({ id: dep.id, status: "sleeping", lease: { id: first, state: "closed", closeReason: "idle" } });
    // The GPU is free again: the sleeping deployment holds nothing.
    expect((await market.marketplace.listOffers())[0]?.freeGpus).toEqual([{ model: "a10", count: 1 }]);
    const [endpoint, second] = await Promise.all([market.marketplace.endpoint(ref), serveOnce()]);
    expect(second).not.toBe(first);
    expect(endpoint).toMatchObject({ leaseId: second, baseUrl: `http://127.0.0.1:9/${second}` });
    const types = (await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady" && e.data.leaseId === second)).map((e) => e.type);
    expect(types.slice(types.indexOf("DeploymentSleeping"))).toEqual(["DeploymentSleeping", "DeploymentWaking", "OrderCreated", "BidPlaced", "OrderMatched", "LeaseCreated", "ManifestReceived", "ServiceReady"]);
  });

  it("checks input: another team's deployment, fizz limits, escrow, duration", async () => {
    market = await startMarket();
    const dep = await market.marketplace.createDeployment(qwen());
    await expect(market.marketplace.status({ teamId: "team-b", deploymentId: dep.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(market.marketplace.close({ teamId: "team-b", deploymentId: dep.id })).rejects.toBeInstanceOf(MarketplaceError);
    const input = qwen();
    await expect(market.marketplace.createDeployment({ ...input, budget: { ...input.budget, escrowWei: 1n } })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("InsufficientBalance") });
    await expect(market.marketplace.createDeployment({ ...input, budget: { ...input.budget, durationSeconds: 1 } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const fizz = { ...input, requirements: { ...input.requirements, mode: "fizz" as const, shmGi: 8 } };
    await expect(market.marketplace.createDeployment(fizz)).rejects.toMatchObject({ message: expect.stringContaining("fizz nodes offer no shared memory") });
    const closed = await market.marketplace.close({ teamId: "team-a", deploymentId: dep.id });
    expect(closed.status).toBe("closed");
  });
});
