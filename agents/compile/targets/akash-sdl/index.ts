import { findGpu } from "../../../catalog/gpus";
import type { Plan, PlannedWorkload } from "../../plan";
import { sizeString } from "../../sizes";
import { toYaml, type YamlValue } from "../../yaml";
import type { ManifestFile, Target, TargetOptions } from "../types";

/**
 * Akash SDL 2.0: the same services, priced per block and per instance, with none of
 * Spheron's extra keys (chain-sdk's schema is strict). A lease runs until its escrow is
 * empty, so duration and mode do not appear.
 */
export const USDC_DENOM = "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1";
/** Akash makes a block about every 6 seconds. */
export const BLOCKS_PER_HOUR = 600;

export class AkashPricingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AkashPricingError";
  }
}

/** Per-block price of one instance in the denom's smallest unit, rounded up (at least 1). */
export function perBlockAmount(microSponPerHour: number, options: TargetOptions): { denom: string; amount: number } {
  if ((options.akashDenom ?? "usdc") === "usdc") {
    // Skyloom's reference prices follow USD 1:1, and USDC has 6 decimals like micro-SPON.
    return { denom: USDC_DENOM, amount: Math.max(1, Math.ceil(microSponToUnits(microSponPerHour, 1) / BLOCKS_PER_HOUR)) };
  }
  const rate = options.uaktPerSpon;
  if (rate === undefined || !(rate > 0)) {
    throw new AkashPricingError("Pricing in uakt needs the exchange rate: say how many uakt one SPON is worth (uaktPerSpon).");
  }
  return { denom: "uakt", amount: Math.max(1, Math.ceil(microSponToUnits(microSponPerHour, rate / 1e6) / BLOCKS_PER_HOUR)) };
}

const microSponToUnits = (micro: number, unitsPerMicro: number) => micro * unitsPerMicro;

function placementOf(w: PlannedWorkload): string {
  // Akash attributes match exactly; a single region pins it, several (a Spheron `;` list) cannot.
  return w.spec.regions.length === 1 ? (w.spec.regions[0] as string) : "anywhere";
}

function service(w: PlannedWorkload): YamlValue {
  const s = w.spec;
  const ports: YamlValue[] = [];
  let hostnameTaken = false;
  for (const p of s.ports) {
    const to: YamlValue[] = [];
    if (p.public) to.push({ global: true });
    for (const c of w.consumers) to.push({ service: c });
    if (to.length === 0) continue;
    const hostname = p.public && p.http && p.proto === "tcp" && !hostnameTaken;
    if (hostname) hostnameTaken = true;
    ports.push({ port: p.port, as: hostname ? 80 : p.port, proto: p.proto, to });
  }
  const storageParams: Record<string, YamlValue> = {};
  if (s.resources.persistent) storageParams.data = { mount: s.resources.persistent.mount, readOnly: false };
  if (s.resources.shmGi > 0) storageParams.shm = { mount: "/dev/shm", readOnly: false };
  return {
    image: s.image,
    command: s.command.length > 0 ? s.command : undefined,
    args: s.args.length > 0 ? s.args : undefined,
    env: s.env.length > 0 ? s.env.map((e) => `${e.name}=${e.value}`) : undefined,
    // Parsers derived from Akash (akashjs, the Spheron SDK) iterate `expose` on every service.
    expose: ports,
    params: Object.keys(storageParams).length > 0 ? { storage: storageParams } : undefined,
  };
}

function compute(w: PlannedWorkload): YamlValue {
  const r = w.spec.resources;
  const storage: YamlValue[] = [{ size: sizeString(r.storageGi) }];
  if (r.persistent) storage.push({ name: "data", size: sizeString(r.persistent.sizeGi), attributes: { persistent: true, class: "beta3" } });
  if (r.shmGi > 0) storage.push({ name: "shm", size: sizeString(r.shmGi), attributes: { persistent: false, class: "ram" } });
  let gpu: YamlValue | undefined;
  if (r.gpu) {
    const seen = new Set<string>();
    const nvidia: YamlValue[] = [];
    for (const id of r.gpu.models) {
      const a = findGpu(id)?.akash ?? { model: id };
      const key = `${a.model}|${a.ram ?? ""}|${a.interface ?? ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
      nvidia.push({ model: a.model, ram: a.ram, interface: a.interface });
    }
    gpu = { units: r.gpu.count, attributes: { vendor: { nvidia } } };
  }
  return { resources: { cpu: { units: r.cpu }, memory: { size: sizeString(r.memoryGi) }, storage, gpu } };
}

export function sdlDocument(plan: Plan, options: TargetOptions): YamlValue {
  const services: Record<string, YamlValue> = {};
  const computeProfiles: Record<string, YamlValue> = {};
  const placements: Record<string, { attributes?: Record<string, string>; pricing: Record<string, YamlValue> }> = {};
  const deployment: Record<string, YamlValue> = {};
  for (const w of plan.workloads) {
    const placement = placementOf(w);
    services[w.name] = service(w);
    computeProfiles[w.name] = compute(w);
    const p = (placements[placement] ??= {
      attributes: placement === "anywhere" ? undefined : { region: placement },
      pricing: {},
    });
    p.pricing[w.name] = perBlockAmount(w.price.bidPerReplicaMicroSponPerHour, options);
    deployment[w.name] = { [placement]: { profile: w.name, count: w.spec.replicas } };
  }
  const sortedPlacements: Record<string, YamlValue> = {};
  for (const name of Object.keys(placements).sort()) {
    const p = placements[name] as { attributes?: Record<string, string>; pricing: Record<string, YamlValue> };
    sortedPlacements[name] = { attributes: p.attributes, pricing: p.pricing };
  }
  return {
    version: "2.0",
    services,
    profiles: { compute: computeProfiles, placement: sortedPlacements },
    deployment,
  };
}

export const akashSdlTarget: Target = {
  id: "akash-sdl",
  title: "Akash SDL",
  emit(plan, options): ManifestFile[] {
    const denom = options.akashDenom ?? "usdc";
    return [
      {
        fileName: "akash-sdl.yaml",
        content: toYaml(sdlDocument(plan, options), [
          `Akash SDL 2.0, generated by Skyloom${options.source ? ` from ${options.source}` : ""}.`,
          `Prices are per block (~6 s) per instance in ${denom === "usdc" ? "USDC (micro-units)" : "uakt"}.`,
        ]),
      },
    ];
  },
};
