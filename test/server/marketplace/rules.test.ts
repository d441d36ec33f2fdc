import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileGraph } from "#agents/compile/compile";
import { deploymentInputFromPlanGroup } from "#server/marketplace/from-plan";
import type { Bid, OrderRequirements } from "#server/marketplace/marketplace";
import { defaultPriceTable } from "#server/marketplace/node/pricing";
import {
  decideBid,
  explainNoBids,
  fizzLimitViolations,
  formatSponPerHour,
  gpusFree,
  manifestHash,
  pickWinner,
  tierMatches,
  weiPerSecondFromMicroSponPerHour,
  type BidderState,
} from "#server/marketplace/rules";

const SPON_PER_HOUR = weiPerSecondFromMicroSponPerHour(1_000_000);

const order = (over: Partial<OrderRequirements> = {}): OrderRequirements => ({
  mode: "provider",
  tier: "community",
  regions: [],
  cpu: 4,
  memoryGi: 16,
  storageGi: 20,
  shmGi: 0,
  persistentStorage: false,
  ingressPorts: true,
  replicas: 1,
  gpu: { count: 1, models: ["a10", "l4"] },
  needsContainers: false,
  needsModelServing: true,
  ...over,
});

const node = (over: Partial<BidderState> = {}): BidderState => ({
  kind: "provider",
  region: "us-east",
  tier: "community1",
  capabilities: { modelServing: { backend: "dev-model", label: "dev" }, containers: false },
  freeGpus: new Map([["a10", 1], ["l4", 2]]),
  freeCpu: 32,
  freeMemoryGi: 128,
  freeStorageGi: 1000,
  ...over,
});

const prices = defaultPriceTable(100);

describe("money", () => {
  it("prices in wei per second, rounded down, as the escrow streams them", () => {
    expect(SPON_PER_HOUR).toBe(277_777_777_777_777n);
    expect(formatSponPerHour(SPON_PER_HOUR)).toBe("1");
    expect(formatSponPerHour(weiPerSecondFromMicroSponPerHour(197_700))).toBe("0.1977");
  });
});

describe("should a node bid", () => {
  it("bids the cheapest of the order's GPU models it has free, at its per-resource price", () => {
    const decision = decideBid(node(), order(), SPON_PER_HOUR, prices);
    expect(decision).toMatchObject({ bid: true, gpuModel: "a10" });
    const expected = prices.cpuCore * 4n + prices.memoryGi * 16n + prices.storageGi * 20n + (prices.gpu.get("a10") ?? 0n);
    expect(decision.bid && decision.priceWeiPerSecond).toBe(expected);
  });

  it("fails closed on mode, tier, region, capability and capacity, saying which", () => {
    expect(decideBid(node({ kind: "fizz" }), order(), SPON_PER_HOUR, prices)).toMatchObject({ bid: false, reason: expect.stringContaining("provider nodes") });
    expect(decideBid(node({ tier: "secured1" }), order(), SPON_PER_HOUR, prices)).toMatchObject({ bid: false, reason: expect.stringContaining("tier") });
    expect(decideBid(node(), order({ regions: ["germany"] }), SPON_PER_HOUR, prices)).toMatchObject({ bid: false, reason: expect.stringContaining("region") });
    expect(decideBid(node({ capabilities: { modelServing: null, containers: false } }), order(), SPON_PER_HOUR, prices)).toMatchObject({ bid: false });
    expect(decideBid(node({ freeGpus: new Map([["l4", 0], ["a10", 0]]) }), order(), SPON_PER_HOUR, prices)).toMatchObject({ bid: false, reason: "no free 1 × a10 or l4" });
    expect(decideBid(node({ freeCpu: 2 }), order(), SPON_PER_HOUR, prices)).toMatchObject({ bid: false, reason: expect.stringContaining("CPU") });
  });

  it("a node without a container engine bids on a container-only order, priced by its resources like any order (provider and fizz)", () => {
    const noEngine = { modelServing: null, containers: false };
    const containerOnly = order({ needsModelServing: false, needsContainers: true, gpu: null, ingressPorts: false });
    const expected = prices.cpuCore * 4n + prices.memoryGi * 16n + prices.storageGi * 20n;
    for (const kind of ["provider", "fizz"] as const) {
      const decision = decideBid(node({ kind, capabilities: noEngine }), { ...containerOnly, mode: kind }, SPON_PER_HOUR, prices);
      expect(decision).toEqual({ bid: true, gpuModel: null, priceWeiPerSecond: expected });
    }
    // Fizz mode's own limits still apply to containers: a replicated container is provider-only.
    expect(decideBid(node({ kind: "fizz", capabilities: noEngine }), { ...containerOnly, mode: "fizz", replicas: 2 }, SPON_PER_HOUR, prices)).toMatchObject({
      bid: false,
      reason: expect.stringContaining("one replica"),
    });
  });

  it("never bids over the order's maximum price", () => {
    const cheap = weiPerSecondFromMicroSponPerHour(50_000);
    expect(decideBid(node(), order(), cheap, prices)).toMatchObject({ bid: false, reason: expect.stringContaining("over the order's maximum 0.05 SPON/h") });
  });

  it("a reservation held for one order leaves the GPU out of the next decision", () => {
    const one = node({ freeGpus: new Map([["a10", 1]]) });
    const first = decideBid(one, order({ gpu: { count: 1, models: ["a10"] } }), SPON_PER_HOUR, prices);
    expect(first.bid).toBe(true);
    const afterReserve = node({ freeGpus: new Map([["a10", 0]]) });
    expect(decideBid(afterReserve, order({ gpu: { count: 1, models: ["a10"] } }), SPON_PER_HOUR, prices).bid).toBe(false);
  });

  it("fizz nodes refuse what fizz mode does not offer", () => {
    const fizz = node({ kind: "fizz", tier: "community3" });
    expect(decideBid(fizz, order({ mode: "fizz", ingressPorts: true }), SPON_PER_HOUR, prices)).toMatchObject({ bid: false, reason: expect.stringContaining("80/443") });
    expect(decideBid(fizz, order({ mode: "fizz", ingressPorts: false }), SPON_PER_HOUR, prices).bid).toBe(true);
    expect(fizzLimitViolations(order({ mode: "fizz", ingressPorts: false, shmGi: 8, persistentStorage: true, replicas: 2, cpu: 64, memoryGi: 256, storageGi: 3000 }))).toHaveLength(6);
  });

  it("tiers match one tier or a family", () => {
    expect(tierMatches("community", "community4")).toBe(true);
    expect(tierMatches("secured", "community1")).toBe(false);
    expect(tierMatches("community-default", "secured2")).toBe(true);
    expect(tierMatches("secured2", "secured2")).toBe(true);
  });
});

describe("who wins", () => {
  const bid = (nodeId: string, price: bigint, createdAt: number): Bid => ({ orderId: "o", nodeId, priceWeiPerSecond: price, gpuModel: "a10", createdAt });
  const up = () => true;

  it("the lowest price wins; a tie goes to the earlier bid, then the smaller node id", () => {
    const bids = [bid("n3", 30n, 1), bid("n2", 20n, 5), bid("n1", 20n, 9)];
    expect(pickWinner(bids, { maxPriceWeiPerSecond: 100n, excludedNodes: [], nodeIsUp: up })?.nodeId).toBe("n2");
    const same = [bid("nb", 20n, 5), bid("na", 20n, 5)];
    expect(pickWinner(same, { maxPriceWeiPerSecond: 100n, excludedNodes: [], nodeIsUp: up })?.nodeId).toBe("na");
  });

  it("skips bids over the maximum, from excluded nodes and from nodes that are down", () => {
    const bids = [bid("over", 200n, 1), bid("gone", 10n, 1), bid("down", 11n, 1), bid("ok", 50n, 1)];
    const winner = pickWinner(bids, { maxPriceWeiPerSecond: 100n, excludedNodes: ["gone"], nodeIsUp: (id) => id !== "down" });
    expect(winner?.nodeId).toBe("ok");
    expect(pickWinner([bid("over", 200n, 1)], { maxPriceWeiPerSecond: 100n, excludedNodes: [], nodeIsUp: up })).toBeNull();
  });

  it("counts the GPUs a node's leases hold", () => {
    expect(gpusFree([{ model: "a10", count: 2 }], [{ model: "a10", count: 1 }], "a10", 1)).toBe(true);
    expect(gpusFree([{ model: "a10", count: 2 }], [{ model: "a10", count: 2 }], "a10", 1)).toBe(false);
  });

  it("no bids: says what was asked and what each node said", () => {
    const message = explainNoBids(order({ regions: ["eu-west"], gpu: { count: 1, models: ["a100-80g"] } }), weiPerSecondFromMicroSponPerHour(2_000_000), [
      { nodeName: "p1", reason: "no free 1 × a100-80g" },
    ]);
    expect(message).toBe("No bids: nothing offers 1 × a100-80g in eu-west as a provider node under 2 SPON/h. Relax the region, GPU, mode or price. Nodes said: p1: no free 1 × a100-80g.");
  });
});

describe("from the compiler to an order", () => {
  it("a model.endpoint flow becomes one deployment whose requirements and cap come from the plan", () => {
    const flow = JSON.parse(readFileSync("test/fixtures/compile/gpu-llm-endpoint/flow.json", "utf8"));
    const result = compileGraph(flow.graph, { name: flow.name }, { targets: ["spheron-icl"] });
    expect(result.ok).toBe(true);
    const icl = result.manifests["spheron-icl"]?.[0]?.content ?? "";
    const input = deploymentInputFromPlanGroup(result.plan!, 0, icl, { teamId: "t1" });
    expect(input.requirements).toMatchObject({ mode: "provider", tier: "community", regions: ["us-central", "us-east", "us-west"], gpu: { count: 1 }, needsModelServing: true });
    expect(input.budget.maxPriceWeiPerSecond).toBe(weiPerSecondFromMicroSponPerHour(197_700));
    expect(input.budget.durationSeconds).toBe(4 * 3600);
    expect(input.manifest.services[0]?.serves?.servedName).toBe("Qwen/Qwen2.5-7B-Instruct");
    expect(input.manifest.icl).toBe(icl);
    expect(manifestHash(JSON.stringify(input.manifest))).toMatch(/^[0-9a-f]{64}$/);
  });
});
