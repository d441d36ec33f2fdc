import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EMBEDDED_NODES, nodeProgram, startEmbeddedNodes, type EmbeddedNodes } from "#server/marketplace/local/embedded-nodes";
import { JOIN_TOKEN, startMarket, type Market } from "./support";

let market: Market | undefined;
let nodes: EmbeddedNodes | undefined;
afterAll(async () => {
  await nodes?.stop();
  await market?.stop();
});

describe("embedded nodes", () => {
  it("start as five separate processes (two provider, three fizz) that join with their regions, tiers and GPUs", async () => {
    market = await startMarket();
    nodes = await startEmbeddedNodes({ joinUrl: market.server.url, token: JOIN_TOKEN, stateDir: mkdtempSync(join(tmpdir(), "skyloom-nodes-")) });
    expect(new Set(nodes.processes.map((p) => p.pid)).size).toBe(5);
    const offers = await market.marketplace.listOffers();
    expect(offers.map((o) => [o.name, o.kind, o.region, o.tier]).sort()).toEqual(EMBEDDED_NODES.map((n) => [n.name, n.kind, n.region, n.tier]).sort());
    expect(offers.filter((o) => o.kind === "fizz")).toHaveLength(3);
    expect(offers.every((o) => o.backend?.startsWith("Skyloom's local development model"))).toBe(true);
  }, 60_000);

  it("runs the bundled node program beside the bundled host, the TypeScript one from sources", () => {
    expect(nodeProgram("file:///app/build/host/main.js")).toEqual(["/app/build/host/marketplace-node.js"]);
    expect(nodeProgram("file:///app/server/marketplace/local/embedded-nodes.ts")).toEqual(["--import", "tsx", "/app/server/marketplace/node/main.ts"]);
  });
});
