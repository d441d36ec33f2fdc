import type { CreateDeploymentInput, Offer } from "../marketplace/marketplace";
import { decideBid, type PriceTable } from "../marketplace/rules";
import { priceOf, type DeploymentQuote, type QuoteGroup, type QuoteOffer } from "./market-views";

/**
 * The quote from live offers (issue 12): for each deployment the flow makes, what each node
 * that is up would bid now, by the same should-bid rules and its own published price table.
 * When no live node can serve a group, its catalog price stands in.
 */
export function priceTableOf(offer: Offer): PriceTable | null {
  const p = offer.capabilities.prices;
  if (!p) return null;
  return { cpuCore: BigInt(p.cpuCore), memoryGi: BigInt(p.memoryGi), storageGi: BigInt(p.storageGi), gpu: new Map(Object.entries(p.gpu).map(([m, w]) => [m, BigInt(w)])) };
}

/** What one node would answer an order now (resources as free as its GPUs are). */
export function offerFor(offer: Offer, input: CreateDeploymentInput): { ok: true; offer: QuoteOffer; wei: bigint } | { ok: false; reason: string } {
  const prices = priceTableOf(offer);
  if (!prices) return { ok: false, reason: "it publishes no prices" };
  const decision = decideBid(
    {
      kind: offer.kind,
      region: offer.region,
      tier: offer.tier,
      capabilities: offer.capabilities,
      freeGpus: new Map(offer.freeGpus.map((g) => [g.model, g.count])),
      freeCpu: offer.cpu,
      freeMemoryGi: offer.memoryGi,
      freeStorageGi: offer.storageGi,
    },
    input.requirements,
    input.budget.maxPriceWeiPerSecond,
    prices,
  );
  if (!decision.bid) return { ok: false, reason: decision.reason };
  return {
    ok: true,
    wei: decision.priceWeiPerSecond,
    offer: {
      nodeName: offer.name,
      region: offer.region,
      tier: offer.tier,
      kind: offer.kind,
      gpuModel: decision.gpuModel,
      price: priceOf(decision.priceWeiPerSecond),
      runsContainers: offer.capabilities.containers,
    },
  };
}

export function quoteGroup(input: CreateDeploymentInput, catalogWeiPerSecond: bigint, offers: readonly Offer[]): QuoteGroup & { low: bigint | null; high: bigint | null } {
  const found: { offer: QuoteOffer; wei: bigint }[] = [];
  const unavailable: { nodeName: string; reason: string }[] = [];
  for (const o of offers) {
    const answer = offerFor(o, input);
    if (answer.ok) found.push(answer);
    else unavailable.push({ nodeName: o.name, reason: answer.reason });
  }
  found.sort((a, b) => (a.wei < b.wei ? -1 : a.wei > b.wei ? 1 : 0));
  return {
    name: input.manifest.name,
    mode: input.requirements.mode,
    gpu: input.requirements.gpu,
    catalogPrice: priceOf(catalogWeiPerSecond),
    maxPrice: priceOf(input.budget.maxPriceWeiPerSecond),
    containers: input.manifest.services.flatMap((s) => (s.serves ? [] : [{ service: s.name, image: s.image }])),
    offers: found.map((f) => f.offer),
    unavailable,
    low: found[0]?.wei ?? null,
    high: found.at(-1)?.wei ?? null,
  };
}

/** The whole flow: the sum of each group's cheapest and dearest live offers. */
export function quoteFlow(flowId: string, groups: { input: CreateDeploymentInput; catalogWeiPerSecond: bigint }[], offers: readonly Offer[]): DeploymentQuote {
  const quoted = groups.map((g) => quoteGroup(g.input, g.catalogWeiPerSecond, offers));
  const live = quoted.length > 0 && quoted.every((q) => q.low !== null);
  const sum = (f: (q: (typeof quoted)[number]) => bigint) => quoted.reduce((n, q) => n + f(q), 0n);
  const catalog = sum((q) => BigInt(q.catalogPrice.weiPerSecond));
  return {
    flowId,
    source: live ? "live" : "catalog",
    groups: quoted.map(({ low: _low, high: _high, ...g }) => g),
    low: priceOf(live ? sum((q) => q.low as bigint) : catalog),
    high: priceOf(live ? sum((q) => q.high as bigint) : catalog),
    catalog: priceOf(catalog),
  };
}
