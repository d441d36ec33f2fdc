import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { deploymentFromFlow, endpointFlow, eventsUntil, startMarket, startNodeProcess, type Market, type NodeProcess } from "./support";

/** A node killed and started again with its --state file comes back as itself and serves its lease again (spec §1.10). */
let market: Market | undefined;
let node: NodeProcess | undefined;
afterAll(async () => {
  await node?.stop();
  await market?.stop();
});

describe("a restarted node", () => {
  it("rejoins as the same node, finds its lease in the snapshot and serves it again without a new order", async () => {
    // A long heartbeat timeout: the node is back before the matchmaker would declare it down.
    market = await startMarket({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 30_000 });
    const state = join(mkdtempSync(join(tmpdir(), "skyloom-node-state-")), "node.json");
    const args = ["--kind", "provider", "--name", "phoenix", "--gpu", "a10:1", "--state", state];
    node = await startNodeProcess(market.server.url, args);
    const firstId = node.nodeId;
    const dep = await market.marketplace.createDeployment(deploymentFromFlow(endpointFlow({ gpu: "a10" })));
    const ref = { teamId: "team-a", deploymentId: dep.id };
    await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady");
    const before = await market.marketplace.endpoint(ref);

    node.child.kill("SIGKILL");
    node = await startNodeProcess(market.server.url, args);
    expect(node.nodeId).toBe(firstId);
    await expect.poll(async () => (await market!.marketplace.endpoint(ref)).baseUrl, { timeout: 20_000 }).not.toBe(before.baseUrl);
    const after = await market.marketplace.endpoint(ref);
    expect(after.leaseId).toBe(before.leaseId);
    const client = new OpenAI({ baseURL: after.baseUrl, apiKey: after.apiKey, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: after.model, messages: [{ role: "user", content: "still there?" }] });
    expect(answer.choices[0]?.message.content?.length).toBeGreaterThan(0);
    const status = await market.marketplace.status(ref);
    expect(status).toMatchObject({ status: "ready", order: { attempt: 1 } });
  }, 60_000);
});

describe("a node started before its matchmaker", () => {
  let early: Market | undefined;
  let waiting: NodeProcess | undefined;
  afterAll(async () => {
    await waiting?.stop();
    await early?.stop();
  });

  it("retries the join while nothing answers, and joins once the matchmaker listens", async () => {
    const port = await freePort();
    let refused!: () => void;
    const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
    const joined = startNodeProcess(`http://127.0.0.1:${port}/market/v1`, ["--kind", "fizz", "--name", "early-bird", "--gpu", "rtx4090:1"], {
      onLine: (line) => {
        if (line.includes("could not join yet")) refused();
      },
    });
    joined.catch(() => undefined);
    // Nothing listens on the port yet: the node's first attempt is refused, and it says it tries again.
    await firstRefusal;
    early = await startMarket({ port });
    waiting = await joined;
    expect(waiting.nodeId).toMatch(/^node_/);
  }, 60_000);
});

/** A port nothing listens on now (the OS picks it, then it is let go). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
