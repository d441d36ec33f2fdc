import { createHash } from "node:crypto";
import type { Bid, DeploymentManifest, NodeCapabilities, NodeKind, NodeTier, OrderRequirements, TierRequirement } from "./marketplace";

/**
 * The marketplace's rules as pure functions, shared by the matchmaker and the node program:
 * which node may bid on what (spec §1.2), fizz mode limits (spheron-and-akash.md §1), pricing
 * (§1.4), who wins (§1.6) and the manifest hash (§1.7). No I/O, no clock: tests call them
 * directly.
 */

// ------------------------------------------------------------------------------ manifest hash

/** The manifest's bytes: JSON in the fixed key order the object was built in. */
export function serializeManifest(manifest: DeploymentManifest): string {
  return JSON.stringify(manifest);
}

export function manifestHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

// ------------------------------------------------------------------------------ money

/** micro-SPON per hour (the compiler's unit) to wei per second, rounded down: a cap never grows. */
export function weiPerSecondFromMicroSponPerHour(micro: number | bigint): bigint {
  return (BigInt(micro) * 10n ** 12n) / 3600n;
}

/** "0.1977" SPON per hour for a wei-per-second price (exact, trailing zeros trimmed, 6 places). */
export function formatSponPerHour(weiPerSecond: bigint): string {
  const microPerHour = (weiPerSecond * 3600n + 10n ** 12n - 1n) / 10n ** 12n;
  const whole = microPerHour / 1_000_000n;
  const frac = (microPerHour % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${whole}${frac ? `.${frac}` : ""}`;
}

// ------------------------------------------------------------------------------ should bid

const TIER_FAMILY: Record<string, readonly NodeTier[]> = {
  secured: ["secured1", "secured2", "secured3"],
  community: ["community1", "community2", "community3", "community4"],
  "community-default": ["secured1", "secured2", "secured3", "community1", "community2", "community3", "community4"],
};

export function tierMatches(required: TierRequirement, tier: NodeTier): boolean {
  return (TIER_FAMILY[required] ?? [required]).includes(tier);
}

export function regionMatches(regions: readonly string[], region: string): boolean {
  return regions.length === 0 || regions.includes(region);
}

/** Fizz nodes are consumer machines: the mode's limits (spheron-and-akash.md §1 "Mode limits"). */
export const FIZZ_LIMITS = { cpu: 32, memoryGi: 128, storageGi: 2000 } as const;

/** Every way an order breaks the fizz limits, in words; empty when it fits. */
export function fizzLimitViolations(req: OrderRequirements): string[] {
  const out: string[] = [];
  if (req.ingressPorts) out.push("fizz nodes offer no ports 80/443 (HTTP ingress)");
  if (req.shmGi > 0) out.push("fizz nodes offer no shared memory (/dev/shm)");
  if (req.persistentStorage) out.push("fizz nodes offer no persistent storage");
  if (req.replicas > 1) out.push("fizz deployments run one replica (count > 1 is provider mode only)");
  if (req.cpu > FIZZ_LIMITS.cpu) out.push(`fizz nodes offer at most ${FIZZ_LIMITS.cpu} CPU (asked ${req.cpu})`);
  if (req.memoryGi > FIZZ_LIMITS.memoryGi) out.push(`fizz nodes offer at most ${FIZZ_LIMITS.memoryGi}Gi memory (asked ${req.memoryGi}Gi)`);
  if (req.storageGi > FIZZ_LIMITS.storageGi) out.push(`fizz nodes offer at most ${FIZZ_LIMITS.storageGi}Gi storage (asked ${req.storageGi}Gi)`);
  return out;
}

/** What a node knows about itself when it decides whether to bid. */
export type BidderState = {
  kind: NodeKind;
  region: string;
  tier: NodeTier;
  capabilities: NodeCapabilities;
  /** GPUs neither leased nor reserved for another bid. */
  freeGpus: ReadonlyMap<string, number>;
  freeCpu: number;
  freeMemoryGi: number;
  freeStorageGi: number;
};

export type BidDecision = { bid: true; gpuModel: string | null; priceWeiPerSecond: bigint } | { bid: false; reason: string };

/** Per-resource prices in wei per second; a node's pricing strategy (spec §1.4). */
export type PriceTable = {
  cpuCore: bigint;
  memoryGi: bigint;
  storageGi: bigint;
  /** Per GPU of that model. A model missing here is not offered. */
  gpu: ReadonlyMap<string, bigint>;
};

/** The price of an order on this node with this GPU model. A zero price is an error (spec §1.4). */
export function priceOrder(prices: PriceTable, req: OrderRequirements, gpuModel: string | null): bigint {
  const gpuCount = req.gpu ? BigInt(req.gpu.count) : 0n;
  const gpuRate = gpuModel === null ? 0n : prices.gpu.get(gpuModel);
  if (gpuRate === undefined) throw new Error(`No price for GPU ${gpuModel}`);
  // Resources are whole units in the price (a 0.5-core service pays for one core).
  const price =
    prices.cpuCore * BigInt(Math.ceil(req.cpu)) +
    prices.memoryGi * BigInt(Math.ceil(req.memoryGi)) +
    prices.storageGi * BigInt(Math.ceil(req.storageGi)) +
    gpuRate * gpuCount;
  if (price <= 0n) throw new Error("A zero price is not a bid: check the node's price table.");
  return price;
}

/**
 * Should this node bid, and at what price (spec §1.2–1.4)? Fails closed: the first unmet
 * requirement is the reason. Picks the cheapest of the order's GPU models the node has free.
 */
export function decideBid(node: BidderState, req: OrderRequirements, maxPriceWeiPerSecond: bigint, prices: PriceTable): BidDecision {
  if (req.mode !== node.kind) return { bid: false, reason: `the order is for ${req.mode} nodes, this is a ${node.kind} node` };
  if (!tierMatches(req.tier, node.tier)) return { bid: false, reason: `tier ${node.tier} is not ${req.tier}` };
  if (!regionMatches(req.regions, node.region)) return { bid: false, reason: `region ${node.region} is not one of ${req.regions.join(", ")}` };
  if (node.kind === "fizz") {
    const violations = fizzLimitViolations(req);
    if (violations.length > 0) return { bid: false, reason: violations.join("; ") };
  }
  if (req.needsModelServing && !node.capabilities.modelServing) return { bid: false, reason: "this node serves no models" };
  // A node without a container engine still bids on containers (issue 12): it leases, bills and
  // monitors them, and reports each one "not-run" so the tenant is told the image is not started.
  if (req.cpu > node.freeCpu) return { bid: false, reason: `needs ${req.cpu} CPU, ${node.freeCpu} free` };
  if (req.memoryGi > node.freeMemoryGi) return { bid: false, reason: `needs ${req.memoryGi}Gi memory, ${node.freeMemoryGi}Gi free` };
  if (req.storageGi > node.freeStorageGi) return { bid: false, reason: `needs ${req.storageGi}Gi storage, ${node.freeStorageGi}Gi free` };

  let gpuModel: string | null = null;
  if (req.gpu) {
    const count = req.gpu.count;
    const candidates = req.gpu.models.filter((m) => (node.freeGpus.get(m) ?? 0) >= count && prices.gpu.has(m));
    if (candidates.length === 0) {
      const wanted = `${count} × ${req.gpu.models.join(" or ")}`;
      return { bid: false, reason: `no free ${wanted}` };
    }
    candidates.sort((a, b) => compareBigint(prices.gpu.get(a) ?? 0n, prices.gpu.get(b) ?? 0n) || (a < b ? -1 : a > b ? 1 : 0));
    gpuModel = candidates[0] ?? null;
  }
  const price = priceOrder(prices, req, gpuModel);
  if (price > maxPriceWeiPerSecond) {
    return { bid: false, reason: `its price ${formatSponPerHour(price)} SPON/h is over the order's maximum ${formatSponPerHour(maxPriceWeiPerSecond)} SPON/h` };
  }
  return { bid: true, gpuModel, priceWeiPerSecond: price };
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ------------------------------------------------------------------------------ matching

/**
 * The winning bid (spec §1.6): the lowest price at or under the order's maximum, from a node
 * that is up and not excluded. Ties go to the earlier bid (first come, first served; it
 * rewards fast nodes), then to the smaller node id so the result never depends on row order.
 */
export function pickWinner(
  bids: readonly Bid[],
  options: { maxPriceWeiPerSecond: bigint; excludedNodes: readonly string[]; nodeIsUp: (nodeId: string) => boolean },
): Bid | null {
  const eligible = bids.filter(
    (b) => b.priceWeiPerSecond > 0n && b.priceWeiPerSecond <= options.maxPriceWeiPerSecond && !options.excludedNodes.includes(b.nodeId) && options.nodeIsUp(b.nodeId),
  );
  eligible.sort(
    (a, b) => compareBigint(a.priceWeiPerSecond, b.priceWeiPerSecond) || a.createdAt - b.createdAt || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0),
  );
  return eligible[0] ?? null;
}

/** "no bids: nothing offers 1 × a100-80g in eu-west under 2 SPON/h" with what each node said. */
export function explainNoBids(req: OrderRequirements, maxPriceWeiPerSecond: bigint, declines: readonly { nodeName: string; reason: string }[]): string {
  const what = req.gpu ? `${req.gpu.count} × ${req.gpu.models.join(" or ")}` : `${req.cpu} CPU`;
  const where = req.regions.length > 0 ? ` in ${req.regions.join(" or ")}` : "";
  const head = `No bids: nothing offers ${what}${where} as a ${req.mode} node under ${formatSponPerHour(maxPriceWeiPerSecond)} SPON/h.`;
  if (declines.length === 0) return `${head} No ${req.mode} node is online; start one or relax the mode.`;
  const said = declines.map((d) => `${d.nodeName}: ${d.reason}`).join("; ");
  return `${head} Relax the region, GPU, mode or price. Nodes said: ${said}.`;
}

/** Whether a node's GPUs can hold another lease, counting what its active leases hold. */
export function gpusFree(inventory: readonly { model: string; count: number }[], leased: readonly { model: string | null; count: number }[], model: string, count: number): boolean {
  const total = inventory.filter((g) => g.model === model).reduce((n, g) => n + g.count, 0);
  const used = leased.filter((l) => l.model === model).reduce((n, l) => n + l.count, 0);
  return total - used >= count;
}
