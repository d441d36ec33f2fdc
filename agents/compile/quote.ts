import type { Plan } from "./plan";
import { formatMicroSpon, microSponToBaseUnits } from "./pricing";

/**
 * What a plan costs: SPON per hour per workload and in total, and the escrow its leases need
 * (each workload's bid × its duration: the Spheron SDK checks the unlocked balance covers
 * Σ amounts × hours before it places an order). Amounts are decimal strings, exact.
 */
export type WorkloadQuote = {
  node: string;
  name: string;
  mode: "provider" | "fizz";
  replicas: number;
  /** e.g. "2 × a40 (or l4)" or null for CPU only. */
  gpu: string | null;
  estimatePerHour: string;
  /** What the manifests bid per hour: the cap, or the estimate. */
  perHour: string;
  durationHours: number;
  escrow: string;
};

export type Quote = {
  currency: "SPON";
  workloads: WorkloadQuote[];
  totalPerHour: string;
  /** Σ per-hour bid × hours, in SPON. */
  escrow: string;
  /** The same in SPON base units (18 decimals), for the escrow contract. */
  escrowBaseUnits: string;
  /** Where prices come from, said plainly in the UI. */
  basis: string;
};

export function quotePlan(plan: Plan): Quote {
  let totalMicro = 0;
  let escrowMicro = 0n;
  const workloads = plan.workloads.map((w): WorkloadQuote => {
    const bid = w.price.bidMicroSponPerHour;
    const escrow = BigInt(bid) * BigInt(w.spec.durationHours);
    totalMicro += bid;
    escrowMicro += escrow;
    const gpu = w.spec.resources.gpu;
    return {
      node: w.node,
      name: w.name,
      mode: w.spec.mode,
      replicas: w.spec.replicas,
      gpu: gpu ? `${gpu.count} × ${gpu.models[0]}${gpu.models.length > 1 ? ` (or ${gpu.models.slice(1).join(", ")})` : ""}` : null,
      estimatePerHour: formatMicroSpon(w.price.estimateMicroSponPerHour),
      perHour: formatMicroSpon(bid),
      durationHours: w.spec.durationHours,
      escrow: formatMicroSpon(escrow),
    };
  });
  return {
    currency: "SPON",
    workloads,
    totalPerHour: formatMicroSpon(totalMicro),
    escrow: formatMicroSpon(escrowMicro),
    escrowBaseUnits: microSponToBaseUnits(escrowMicro).toString(),
    basis: "Skyloom's default GPU catalog prices (maximum bids; providers may bid lower). Live marketplace offers are not included yet.",
  };
}
