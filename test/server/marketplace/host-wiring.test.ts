import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { startSkyloom } from "#server/index";
import { EMBEDDED_NODES } from "#server/marketplace/local/embedded-nodes";

/**
 * The host as `npm start` runs it: the node protocol mounted at /market/v1 on the host's own
 * port, and the embedded nodes (here the first one, per SKYLOOM_MARKETPLACE_NODES) joining it.
 */
it("startSkyloom serves /market/v1 and its embedded nodes join its own URL; close() stops them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "skyloom-wiring-"));
  const skyloom = await startSkyloom({ DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", SKYLOOM_MARKETPLACE_NODES: "1" }, { pages: false });
  try {
    await skyloom.services.market!.nodesStarted;
    const offers = await skyloom.services.marketplace.listOffers();
    expect(offers.map((o) => [o.name, o.kind, o.region])).toEqual([[EMBEDDED_NODES[0]!.name, "provider", EMBEDDED_NODES[0]!.region]]);
    expect(offers[0]?.capabilities.prices?.gpu.a10).toMatch(/^\d+$/);
    const anonymous = await fetch(`${skyloom.url.replace("localhost", "127.0.0.1")}/market/v1/work`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: "Unknown node or wrong node secret.", code: "UNAUTHORIZED" });
  } finally {
    await skyloom.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
