import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { marketNodes } from "#db/schema/marketplace";
import { sha256Hex } from "#server/marketplace/local/ids";
import { MatchmakerClient } from "#server/marketplace/node/client";
import { JOIN_TOKEN, startMarket, type Market } from "./support";

/**
 * The matchmaker's per-second work for each node made cheap (issue 12) without changing who
 * is admitted or when a node is declared down: a remembered secret never outlives its row,
 * and the watchdog sees heartbeats that are not written to SQLite yet.
 */
let market: Market | null = null;
afterEach(async () => {
  await market?.stop();
  market = null;
});

const NODE = { kind: "provider" as const, name: "n1", region: "us-east", tier: "community1" as const, inventory: { gpus: [], cpu: 1, memoryGi: 1, storageGi: 1 }, capabilities: { modelServing: null, containers: false } };

describe("node authentication", () => {
  it("refuses a node at its next call once its row's secret changed or the row is gone, even after its secret was accepted", async () => {
    market = await startMarket();
    const { db } = market.db;
    const client = new MatchmakerClient(market.server.url);
    const joined = await client.join({ ...NODE, token: JOIN_TOKEN });
    client.setCredentials(joined.nodeId, joined.secret);
    await client.heartbeat({ leases: {} });
    // A heartbeat is answered with 204 and no body (nodes never read one).
    const beat = await fetch(`${market.server.url}/heartbeat`, { method: "POST", headers: { authorization: `Bearer ${joined.nodeId}.${joined.secret}` }, body: JSON.stringify({ leases: {} }) });
    expect([beat.status, await beat.text()]).toEqual([204, ""]);

    const guesser = new MatchmakerClient(market.server.url);
    guesser.setCredentials(joined.nodeId, `${joined.secret.slice(0, -1)}${joined.secret.endsWith("A") ? "B" : "A"}`);
    await expect(guesser.heartbeat({ leases: {} })).rejects.toMatchObject({ status: 401 });

    db.update(marketNodes).set({ secretHash: sha256Hex("aNewSecret") }).where(eq(marketNodes.id, joined.nodeId)).run();
    await expect(client.heartbeat({ leases: {} })).rejects.toMatchObject({ status: 401, message: "Unknown node or wrong node secret." });
    const rekeyed = new MatchmakerClient(market.server.url);
    rekeyed.setCredentials(joined.nodeId, "aNewSecret");
    await expect(rekeyed.heartbeat({ leases: {} })).resolves.toBeDefined();

    db.delete(marketNodes).where(eq(marketNodes.id, joined.nodeId)).run();
    await expect(rekeyed.heartbeat({ leases: {} })).rejects.toMatchObject({ status: 401 });
    await expect(rekeyed.work(undefined)).rejects.toMatchObject({ status: 401 });
  });
});

describe("heartbeats", () => {
  it("the watchdog reads heartbeats not yet written; the node list and a stop write them", async () => {
    let clock = Date.now();
    market = await startMarket({ now: () => clock, heartbeatTimeoutMs: 5000 });
    const { matchmaker, marketplace } = market;
    const { nodeId } = matchmaker.join({ ...NODE, token: JOIN_TOKEN });
    const joinedAt = clock;
    const stored = () => market?.db.db.select({ at: marketNodes.lastHeartbeatAt }).from(marketNodes).where(eq(marketNodes.id, nodeId)).get()?.at.getTime();

    clock += 4000;
    matchmaker.heartbeat(nodeId);
    clock += 4000; // 8 s after the stored time, 4 s after the last beat: still up
    matchmaker.sweep();
    const listed = (await marketplace.listNodes()).find((n) => n.id === nodeId);
    expect(listed).toMatchObject({ status: "up", lastHeartbeatAt: joinedAt + 4000 });

    clock += 2000; // 6 s silent: down
    matchmaker.sweep();
    expect((await marketplace.listNodes()).find((n) => n.id === nodeId)?.status).toBe("down");

    matchmaker.heartbeat(nodeId); // back: up again at once, its time written with the status
    expect((await marketplace.listNodes()).find((n) => n.id === nodeId)).toMatchObject({ status: "up", lastHeartbeatAt: clock });
    clock += 1000;
    matchmaker.heartbeat(nodeId);
    matchmaker.stop();
    expect(stored()).toBe(clock);
  });
});
