import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { deploymentFromFlow, endpointFlow, eventsUntil, flowFixture, startMarket, startNodeProcess, type Market, type NodeProcess } from "./support";

/**
 * A node serving its operator's own OpenAI-compatible server (`--serve-openai`, here a second
 * development model playing the part of someone's Ollama), a container the node cannot run,
 * and the node's health monitor giving up on an upstream that went away.
 */
let market: Market;
let upstream: DevModelServer;
let node: NodeProcess;

beforeAll(async () => {
  market = await startMarket();
  upstream = await startDevModelServer();
  node = await startNodeProcess(market.server.url, [
    "--kind", "provider", "--name", "operator-pc", "--tier", "secured1", "--gpu", "rtx4090:1",
    "--serve-openai", upstream.baseUrl, "--upstream-model", "llama3.1:8b",
  ]);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await upstream?.close();
  await market?.stop();
});

describe("a node serving the operator's upstream", () => {
  it("answers through the upstream under the upstream's own model name, and says which backend serves", async () => {
    const offers = await market.marketplace.listOffers();
    expect(offers[0]?.backend).toMatch(/^the operator's OpenAI-compatible server at 127\.0\.0\.1:\d+$/);
    const dep = await market.marketplace.createDeployment(deploymentFromFlow(endpointFlow({ gpu: "rtx4090", tier: "community-default" })));
    const ref = { teamId: "team-a", deploymentId: dep.id };
    const events = await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady" || e.type === "OrderClosed");
    expect(events.at(-1)?.data.message).toMatch(/Serving from the operator's OpenAI-compatible server/);
    const endpoint = await market.marketplace.endpoint(ref);
    const client = new OpenAI({ baseURL: endpoint.baseUrl, apiKey: endpoint.apiKey, maxRetries: 0 });
    const before = upstream.completions();
    const answer = await client.chat.completions.create({ model: endpoint.model, messages: [{ role: "user", content: "hi" }] });
    expect(answer.model).toBe("llama3.1:8b");
    expect(upstream.completions()).toBe(before + 1);
    await expect(client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({ status: 404 });
  });

  it("when the upstream goes away, the health monitor fails the service and the lease is re-ordered", async () => {
    const ref = { teamId: "team-a", deploymentId: (await market.marketplace.status({ teamId: "team-a", deploymentId: (await firstDeploymentId()) })).id };
    const last = (await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady")).at(-1)?.seq ?? 0;
    await upstream.close();
    const events = await eventsUntil(market.marketplace, ref, (e) => e.type === "OrderClosed", last);
    expect(events.map((e) => e.type)).toEqual(["ServiceUnhealthy", "ServiceFailed", "LeaseClosed", "OrderCreated", "OrderClosed"]);
    expect(events.find((e) => e.type === "LeaseClosed")?.data.reason).toBe("workload-failed");
    // The only node was excluded from the re-order: the deployment waits for a node (ADR 029), saying so.
    expect(events.at(-1)?.data).toMatchObject({ reason: "no-bids", retrying: true, retry: 1 });
    expect(await market.marketplace.status(ref)).toMatchObject({ status: "ordering", message: expect.stringMatching(/^No node can take it right now: /) });
    await market.marketplace.close(ref);
  });

  it("a container-only deployment is leased by the node, which says plainly it does not run the images", async () => {
    const dep = await market.marketplace.createDeployment(deploymentFromFlow(flowFixture("container-with-redis")));
    const ref = { teamId: "team-a", deploymentId: dep.id };
    const events = await eventsUntil(market.marketplace, ref, (e, all) => all.filter((x) => x.type === "ServiceNotRun").length === 2);
    expect(events.map((e) => e.type)).toEqual(["OrderCreated", "BidPlaced", "OrderMatched", "LeaseCreated", "ManifestReceived", "ServiceNotRun", "ServiceNotRun"]);
    expect(events.at(-1)?.data).toMatchObject({ service: "cache", state: "not-run", image: "redis:7.2-alpine", message: "Node operator-pc has no container engine, so it does not run the image redis:7.2-alpine." });
    const status = await market.marketplace.status(ref);
    expect(status).toMatchObject({ status: "ready", lease: { nodeId: node.nodeId, state: "active" } });
    expect(status.lease?.services.map((s) => [s.name, s.state, s.uri, s.notRun])).toEqual([
      ["agent-api", "not-run", null, { reason: "no-container-engine", image: "ghcr.io/x/agent-runtime:1.4.2" }],
      ["cache", "not-run", null, { reason: "no-container-engine", image: "redis:7.2-alpine" }],
    ]);
    await market.marketplace.close(ref);
    expect((await market.marketplace.status(ref)).status).toBe("closed");
  });
});

async function firstDeploymentId(): Promise<string> {
  const row = market.db.sqlite.prepare("select id from market_deployments order by created_at limit 1").get() as { id: string };
  return row.id;
}
