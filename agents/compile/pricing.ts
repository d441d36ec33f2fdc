import type { WorkloadSpec } from "../blocks/workload-spec";

/**
 * Prices in integers of micro-SPON (1e-6 SPON) so sums and products are exact; SPON itself
 * has 18 decimals, so escrow amounts are bigints of base units.
 *
 * Non-GPU resources use Skyloom's default rates per hour (an estimate that keeps CPU-only
 * services within the 0.05–0.2 SPON/h the marketplace spec suggests): 0.01 per core, 0.002
 * per GiB of memory, 0.0001 per GiB of disk, at least 0.05 for a CPU-only service.
 */
export const RATES_MICRO_SPON_PER_HOUR = { cpuCore: 10_000, memoryGi: 2_000, storageGi: 100, cpuOnlyFloor: 50_000 } as const;

export const SPON_DECIMALS = 18;
const MICRO_TO_BASE = 10n ** BigInt(SPON_DECIMALS - 6);

/** Estimated price of one replica per hour. */
export function estimateReplicaMicroSpon(spec: WorkloadSpec): number {
  const r = spec.resources;
  const storage = r.storageGi + (r.persistent?.sizeGi ?? 0);
  const base = Math.ceil(
    r.cpu * RATES_MICRO_SPON_PER_HOUR.cpuCore + r.memoryGi * RATES_MICRO_SPON_PER_HOUR.memoryGi + storage * RATES_MICRO_SPON_PER_HOUR.storageGi,
  );
  if (!r.gpu) return Math.max(base, RATES_MICRO_SPON_PER_HOUR.cpuOnlyFloor);
  return base + r.gpu.priceMicroSponPerGpuHour * r.gpu.count;
}

export type WorkloadPrice = {
  /** Estimate for all replicas per hour. */
  estimateMicroSponPerHour: number;
  /** What the manifests bid per hour for all replicas: the user's cap, or the estimate. */
  bidMicroSponPerHour: number;
  /** The bid per replica (Akash prices each instance). */
  bidPerReplicaMicroSponPerHour: number;
  capBelowEstimate: boolean;
};

export function priceWorkload(spec: WorkloadSpec): WorkloadPrice {
  const estimate = estimateReplicaMicroSpon(spec) * spec.replicas;
  const bid = spec.maxMicroSponPerHour ?? estimate;
  return {
    estimateMicroSponPerHour: estimate,
    bidMicroSponPerHour: bid,
    bidPerReplicaMicroSponPerHour: Math.ceil(bid / spec.replicas),
    capBelowEstimate: spec.maxMicroSponPerHour !== null && spec.maxMicroSponPerHour < estimate,
  };
}

/** "1.234" from 1234000 micro-SPON: exact, no float formatting, trailing zeros trimmed. */
export function formatMicroSpon(micro: number | bigint): string {
  const n = BigInt(micro);
  const sign = n < 0n ? "-" : "";
  const abs = n < 0n ? -n : n;
  const whole = abs / 1_000_000n;
  const frac = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${sign}${whole}${frac ? `.${frac}` : ""}`;
}

/** SPON base units (18 decimals) for an amount of micro-SPON. */
export function microSponToBaseUnits(micro: number | bigint): bigint {
  return BigInt(micro) * MICRO_TO_BASE;
}
