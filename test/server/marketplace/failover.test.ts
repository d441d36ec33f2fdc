import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { MarketplaceError, type DeploymentRef, type ServingEndpoint } from "#server/marketplace/marketplace";
import { sendToDeployment } from "#server/marketplace/serving";
import { deploymentFromFlow, endpointFlow, eventsUntil, startMarket, startNodeProcess, type Market, type NodeProcess } from "./support";

/**
 * Failover as a client of the endpoint lives it (ADR 029), on real node processes serving a
 * slow-streaming upstream. The heartbeat timeout is long (10 s), so what moves the lease in
 * the first test is the host's own check after a client found the node's URI dead, not the
 * heartbeat sweep: requests queued in the gap wait and succeed on the new lease.
 */
let market: Market;
let upstream: DevModelServer;
const started: NodeProcess[] = [];

const nodeArgs = (name: string, percent: number) => ["--kind", "provider", "--name", name, "--gpu", "a10:1", "--price-percent", String(percent), "--serve-openai", upstream.baseUrl];

async function startNode(name: string, percent: number): Promise<NodeProcess> {
  const node = await startNodeProcess(market.server.url, nodeArgs(name, percent));
  started.push(node);
  return node;
}

beforeAll(async () => {
  upstream = await startDevModelServer({ chunkDelayMs: 60 });
  market = await startMarket({ heartbeatIntervalMs: 200, heartbeatTimeoutMs: 10_000, bidWindowMs: 1000, failoverRetryMs: 300, failoverRetries: 100 });
}, 30_000);

afterAll(async () => {
  await Promise.all(started.map((n) => n.stop()));
  await market?.stop();
  await upstream?.close();
});

const chatBody = (stream: boolean) => JSON.stringify({ model: "Qwen/Qwen2.5-7B-Instruct", stream, messages: [{ role: "user", content: "Tell me a long story" }] });

async function chat(endpoint: ServingEndpoint, stream = false): Promise<Response> {
  const response = await fetch(`${endpoint.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${endpoint.apiKey}`, "content-type": "application/json" },
    body: chatBody(stream),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return response;
}

/** A whole non-streamed answer through the failover-aware sender: its text and who served it. */
async function askThroughFailover(ref: DeploymentRef) {
  const { result, endpoint, failovers } = await sendToDeployment(market.marketplace, ref, { timeoutMs: 30_000 }, async (e) => (await chat(e)).json() as Promise<{ choices: { message: { content: string } }[] }>);
  return { text: result.choices[0]?.message.content ?? "", nodeId: endpoint.nodeId, failovers };
}

describe("failover seen from a client of the endpoint", () => {
  let ref: DeploymentRef;
  let first: NodeProcess;
  let second: NodeProcess;

  it("kill -9 mid-stream: the stream breaks, requests queued in the gap wait and succeed on another node, same deployment", async () => {
    first = await startNode("cheap", 50);
    second = await startNode("dear", 90);
    const dep = await market.marketplace.createDeployment(deploymentFromFlow(endpointFlow({ gpu: "a10" })));
    ref = { teamId: "team-a", deploymentId: dep.id };
    const ready = await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady");
    const endpoint = await market.marketplace.endpoint(ref);
    expect(endpoint.nodeId).toBe(first.nodeId);

    const stream = (await chat(endpoint, true)).body!.getReader();
    const firstChunk = await stream.read();
    expect(new TextDecoder().decode(firstChunk.value)).toContain("chat.completion.chunk");
    first.child.kill("SIGKILL");
    await expect((async () => { for (;;) if ((await stream.read()).done) return "ended cleanly"; })()).rejects.toThrow();

    // Queued while the dead node is still "up" for the matchmaker (its heartbeat timeout is 10 s).
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => askThroughFailover(ref)));
    expect(answers.map((a) => a.nodeId)).toEqual(Array(5).fill(second.nodeId));
    expect(answers.every((a) => a.text.length > 0)).toBe(true);
    expect(answers.some((a) => a.failovers > 0)).toBe(true);

    const events = await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady", ready.at(-1)!.seq);
    expect(events.find((e) => e.type === "ServiceFailed")?.data.message).toMatch(/^unreachable from the host \(.*ECONNREFUSED/);
    expect(events.find((e) => e.type === "LeaseClosed")?.data).toMatchObject({ nodeId: first.nodeId, reason: "workload-failed" });
    expect(events.map((e) => e.type)).not.toContain("NodeDown");
    expect(await market.marketplace.status(ref)).toMatchObject({ id: ref.deploymentId, status: "ready", node: { id: second.nodeId } });
  }, 60_000);

  it("a failover with no node left keeps ordering (with events) until a node joins, and the waiting request is served", async () => {
    second.child.kill("SIGKILL");
    const before = (await market.marketplace.status(ref)).order!.attempt;
    const waiting = askThroughFailover(ref);
    const events = await eventsUntil(market.marketplace, ref, (e) => e.type === "OrderClosed" && e.data.retrying === true && (e.data.retry as number) >= 2);
    const closed = events.filter((e) => e.type === "OrderClosed");
    expect(closed.at(-1)?.data).toMatchObject({ reason: "no-bids", retrying: true, retries: 100 });
    expect((await market.marketplace.status(ref)).message).toMatch(/^No node can take it right now: .*a node that joins or comes back picks it up\.$/);

    const third = await startNode("newcomer", 70);
    const answer = await waiting;
    expect(answer).toMatchObject({ nodeId: third.nodeId });
    expect(answer.text.length).toBeGreaterThan(0);
    const status = await market.marketplace.status(ref);
    expect(status).toMatchObject({ id: ref.deploymentId, status: "ready", node: { name: "newcomer" } });
    expect(status.order!.attempt).toBeGreaterThan(before + 2);
  }, 60_000);

  it("a URI that still answers is not failed over on a client's word", async () => {
    const endpoint = await market.marketplace.endpoint(ref);
    await expect(market.marketplace.reportUnreachable(ref, { leaseId: endpoint.leaseId, error: "ECONNREFUSED" })).resolves.toEqual({ reordered: false });
    expect((await market.marketplace.status(ref)).lease?.id).toBe(endpoint.leaseId);
    await expect(market.marketplace.reportUnreachable({ teamId: "team-b", deploymentId: ref.deploymentId }, { leaseId: endpoint.leaseId, error: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("bounded failover", () => {
  it("gives up after the configured retries and says why; endpoint() then fails with that sentence", async () => {
    const own = await startMarket({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1000, bidWindowMs: 500, failoverRetryMs: 100, failoverRetries: 2 });
    const lone = await startNodeProcess(own.server.url, ["--kind", "provider", "--name", "lone", "--gpu", "a10:1"]);
    try {
      const dep = await own.marketplace.createDeployment(deploymentFromFlow(endpointFlow({ gpu: "a10" })));
      const ref = { teamId: "team-a", deploymentId: dep.id };
      await eventsUntil(own.marketplace, ref, (e) => e.type === "ServiceReady");
      lone.child.kill("SIGKILL");
      const events = await eventsUntil(own.marketplace, ref, (e) => e.type === "OrderClosed" && e.data.retrying !== true);
      expect(events.filter((e) => e.type === "OrderClosed" && e.data.retrying === true)).toHaveLength(2);
      expect(events.at(-1)?.data.message).toMatch(/^Failover gave up after 2 orders found no node: /);
      const error = await own.marketplace.endpoint(ref, { timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MarketplaceError);
      expect(error).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/^Failover gave up after 2/) });
    } finally {
      await lone.stop();
      await own.stop();
    }
  }, 30_000);
});
