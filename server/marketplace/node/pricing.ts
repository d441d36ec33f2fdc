import { GPU_CATALOG } from "#agents/catalog/gpus";
import { RATES_MICRO_SPON_PER_HOUR } from "#agents/compile/pricing";
import type { PriceTable } from "../rules";
import { weiPerSecondFromMicroSponPerHour } from "../rules";

/**
 * A node's default pricing strategy (spec §1.4, per-resource scale): Skyloom's catalog price
 * of each GPU and its default CPU, memory and disk rates, times the operator's percentage
 * (`--price-percent`, 100 = the catalog). Each rate is wei per second.
 */
export function defaultPriceTable(percent: number): PriceTable {
  if (!Number.isInteger(percent) || percent < 1 || percent > 10_000) throw new Error("--price-percent is a whole number from 1 to 10000.");
  const scale = (micro: number) => weiPerSecondFromMicroSponPerHour((BigInt(micro) * BigInt(percent)) / 100n);
  return {
    cpuCore: scale(RATES_MICRO_SPON_PER_HOUR.cpuCore),
    memoryGi: scale(RATES_MICRO_SPON_PER_HOUR.memoryGi),
    storageGi: scale(RATES_MICRO_SPON_PER_HOUR.storageGi),
    gpu: new Map(GPU_CATALOG.map((g) => [g.id, scale(g.priceMicroSponPerHour)])),
  };
}
