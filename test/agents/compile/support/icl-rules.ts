import { GPU_IDS } from "#agents/catalog/gpus";
import { isPinnedImage } from "#agents/blocks/workload-config";

/**
 * Our re-implementation of what the Spheron SDK (v1 ICL path) silently assumes, one function
 * per item of the checklist in specs/spheron-and-akash.md. Each returns the violations it
 * finds in one parsed ICL document (and its raw text where quoting matters).
 */
type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (v && typeof v === "object" && !Array.isArray(v) ? (v as Doc) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const services = (d: Doc) => obj(d.services);
const profiles = (d: Doc) => obj(d.profiles);
const compute = (d: Doc) => obj(profiles(d).compute);
const placements = (d: Doc) => obj(profiles(d).placement);
const resources = (d: Doc, svc: string) => obj(obj(compute(d)[svc]).resources);
const storageList = (d: Doc, svc: string) => list(resources(d, svc).storage).map(obj);

export const SPHERON_GPU_SHORT_NAMES = new Set([
  // The docs table and the SDK 2.6 gpu-config (spec §1).
  ...("rtx3080 rtx3080ti rtx3090 rtx3090ti rtx4050 rtx4060 rtx4060ti rtx4070 rtx4070ti rtx4070tisuper rtx4080 rtx4090 rtx4000 " +
    "rtx4000-ada p100 rtxa4000 rtxa5000 rtxa6000 p40 t4 titanrtx a10 a10g l4 v100 a40 l40 l40s rtx8000 rtx6000-ada a100-pcie-40g " +
    "a100-sxm-40g a100-80g h100 gh200 h200 b200 t1000 p4 rtx4070super rtx4080super rtx4000-sff-ada rtx5060ti rtx5070ti rtx5080 " +
    "rtx5090 v100s a30 a16 rtx6000 rtx8000-ada").split(" "),
]);
const SIZE = /^[0-9]+(\.[0-9]+)?(Mi|Gi|Ti)$/;
const TIERS = new Set(["secured", "community", "secured1", "secured2", "secured3", "community1", "community2", "community3", "community4", "community-default"]);
const PLACEMENT_KEYS = new Set(["region", "region_exclude", "desired_provider", "provider_exclude", "desired_fizz", "fizz_exclude", "bandwidth"]);

export function versionAndTopLevel(text: string, d: Doc): string[] {
  const v: string[] = [];
  if (!/^version: "1\.0"$/m.test(text)) v.push('version is not the quoted string "1.0"');
  if (d.version !== "1.0") v.push("version does not parse as the string 1.0");
  const extra = Object.keys(d).filter((k) => !["version", "services", "profiles", "deployment"].includes(k));
  if (extra.length > 0) v.push(`unexpected top-level keys ${extra.join(",")}`);
  return v;
}

export function servicesShape(d: Doc): string[] {
  const v: string[] = [];
  const names = Object.keys(services(d));
  for (const [name, raw] of Object.entries(services(d))) {
    const s = obj(raw);
    if (typeof s.image !== "string" || !isPinnedImage(s.image)) v.push(`${name}: image not pinned`);
    if (!["Always", "IfNotPresent", "Never"].includes(String(s.pull_policy))) v.push(`${name}: pull_policy`);
    for (const key of ["command", "args"] as const) {
      if (s[key] !== undefined && !(Array.isArray(s[key]) && (s[key] as unknown[]).every((x) => typeof x === "string"))) {
        v.push(`${name}: ${key} is not a list of strings`);
      }
    }
    if (s.env !== undefined && !(Array.isArray(s.env) && s.env.every((e) => typeof e === "string" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(e)))) {
      v.push(`${name}: env is not a K=V list`);
    }
    for (const e of list(s.expose).map(obj)) {
      if (typeof e.port !== "number" || typeof e.as !== "number") v.push(`${name}: expose without numeric port/as`);
      if (!["tcp", "udp"].includes(String(e.proto ?? "tcp"))) v.push(`${name}: proto ${String(e.proto)}`);
      const to = list(e.to).map(obj);
      if (to.length === 0) v.push(`${name}: expose without to`);
      for (const t of to) {
        const isGlobal = t.global === true && t.service === undefined;
        const isService = typeof t.service === "string" && t.global === undefined && names.includes(t.service);
        if (!isGlobal && !isService) v.push(`${name}: bad to entry ${JSON.stringify(t)}`);
      }
    }
  }
  return v;
}

/** Provider mode: the first public HTTP port is `as: 80`; every other port keeps `as` = `port`. */
export function publicHttpMapsTo80(d: Doc, httpPorts: Map<string, number[]>): string[] {
  const v: string[] = [];
  const mode = profiles(d).mode;
  for (const [name, raw] of Object.entries(services(d))) {
    const http = httpPorts.get(name) ?? [];
    let hostname = false;
    for (const e of list(obj(raw).expose).map(obj)) {
      const isGlobal = list(e.to).some((t) => obj(t).global === true);
      const wantsHostname = mode === "provider" && isGlobal && http.includes(e.port as number) && !hostname;
      if (wantsHostname) {
        hostname = true;
        if (e.as !== 80) v.push(`${name}: public HTTP port ${String(e.port)} is not exposed as 80`);
      } else if (e.as !== e.port) v.push(`${name}: port ${String(e.port)} exposed as ${String(e.as)}`);
    }
  }
  return v;
}

export function modeAndFizzLimits(d: Doc): string[] {
  const v: string[] = [];
  const mode = profiles(d).mode;
  if (mode !== "provider" && mode !== "fizz") return [`mode ${String(mode)}`];
  if (mode !== "fizz") return v;
  for (const [name, raw] of Object.entries(services(d))) {
    for (const e of list(obj(raw).expose).map(obj)) if (e.as === 80 || e.as === 443 || e.port === 80 || e.port === 443) v.push(`${name}: port 80/443 in fizz`);
    const r = resources(d, name);
    if ((obj(r.cpu).units as number) > 32) v.push(`${name}: more than 32 CPU`);
    if (toGi(obj(r.memory).size) > 128) v.push(`${name}: more than 128Gi memory`);
    const st = storageList(d, name);
    if (st.reduce((sum, s) => sum + toGi(s.size), 0) > 2000) v.push(`${name}: more than 2000Gi storage`);
    if (st.some((s) => obj(s.attributes).persistent === true || obj(s.attributes).class === "ram")) v.push(`${name}: persistent storage or SHM in fizz`);
    for (const p of Object.values(obj(placements(d)))) {
      if (obj(obj(obj(p).pricing)[name]).token !== "SPON") v.push(`${name}: fizz must pay in SPON`);
    }
  }
  return v;
}

export function durationAndTier(d: Doc): string[] {
  const v: string[] = [];
  if (!/^[0-9]+(min|h|d|mon|y)$/.test(String(profiles(d).duration))) v.push(`duration ${String(profiles(d).duration)}`);
  if (typeof profiles(d).tier !== "string" || !TIERS.has(profiles(d).tier as string)) v.push(`tier ${JSON.stringify(profiles(d).tier)}`);
  return v;
}

export function keysAndOrder(d: Doc): string[] {
  const v: string[] = [];
  const svc = Object.keys(services(d));
  if (JSON.stringify(Object.keys(compute(d))) !== JSON.stringify(svc)) v.push("compute profiles differ from services (names or order)");
  const places = Object.keys(placements(d));
  if (places.length !== 1) return [...v, `${places.length} placements`];
  const pricing = Object.keys(obj(obj(placements(d)[places[0] as string]).pricing));
  if (JSON.stringify(pricing) !== JSON.stringify(svc)) v.push("pricing keys differ from services");
  return v;
}

export function cpuAndSizes(d: Doc): string[] {
  const v: string[] = [];
  for (const name of Object.keys(services(d))) {
    const r = resources(d, name);
    if (typeof obj(r.cpu).units !== "number") v.push(`${name}: cpu.units is not a number`);
    const sizes = [obj(r.memory).size, ...storageList(d, name).map((s) => s.size)];
    for (const s of sizes) if (typeof s !== "string" || !SIZE.test(s)) v.push(`${name}: size ${String(s)}`);
  }
  return v;
}

export function gpuShape(d: Doc, gpuServices: Set<string>): string[] {
  const v: string[] = [];
  for (const name of Object.keys(services(d))) {
    const gpu = resources(d, name).gpu;
    if (!gpuServices.has(name)) {
      if (gpu !== undefined) v.push(`${name}: CPU service has a gpu block`);
      continue;
    }
    const g = obj(gpu);
    if (!(typeof g.units === "number" && g.units >= 1)) v.push(`${name}: gpu.units < 1`);
    const nvidia = list(obj(obj(g.attributes).vendor).nvidia).map(obj);
    if (nvidia.length === 0) v.push(`${name}: empty nvidia list`);
    for (const m of nvidia) {
      if (!SPHERON_GPU_SHORT_NAMES.has(String(m.model))) v.push(`${name}: unknown GPU ${String(m.model)}`);
      if (Object.keys(m).some((k) => k !== "model")) v.push(`${name}: relies on ram/interface`);
    }
  }
  return v;
}

export function persistentVolume(d: Doc): string[] {
  const v: string[] = [];
  for (const [name, raw] of Object.entries(services(d))) {
    const st = storageList(d, name);
    const persistent = st.filter((s) => obj(s.attributes).persistent === true);
    if (persistent.length === 0) continue;
    if (profiles(d).mode !== "provider") v.push(`${name}: persistent volume outside provider mode`);
    const p = persistent[0] as Doc;
    if (persistent.length > 1 || st[0] !== p) v.push(`${name}: the persistent volume is not the one (first) volume`);
    if (p.name !== "default" || obj(p.attributes).class !== "beta3") v.push(`${name}: persistent volume is not {name: default, class: beta3}`);
    const mount = obj(obj(obj(obj(raw).params).storage).default).mount;
    if (typeof mount !== "string" || !mount.startsWith("/")) v.push(`${name}: no absolute params.storage.default.mount`);
  }
  return v;
}

export function pricing(d: Doc): { violations: string[]; sumPerHour: number } {
  const v: string[] = [];
  let sum = 0;
  for (const p of Object.values(placements(d))) {
    for (const [svc, price] of Object.entries(obj(obj(p).pricing))) {
      const pr = obj(price);
      if (pr.token !== "uSPON" && pr.token !== "SPON") v.push(`${svc}: token ${String(pr.token)}`);
      if (typeof pr.amount !== "number" || !(pr.amount > 0)) v.push(`${svc}: amount ${String(pr.amount)}`);
      else sum += pr.amount;
      if (pr.denom !== undefined) v.push(`${svc}: uses denom`);
    }
  }
  return { violations: v, sumPerHour: sum };
}

export function placementAttributes(d: Doc): string[] {
  const v: string[] = [];
  for (const [pname, p] of Object.entries(placements(d))) {
    for (const [k, value] of Object.entries(obj(obj(p).attributes))) {
      if (!PLACEMENT_KEYS.has(k)) v.push(`${pname}: attribute ${k}`);
      if (k === "region" && !(typeof value === "string" && /^[a-z0-9-]+(;[a-z0-9-]+)*$/.test(value))) v.push(`${pname}: region ${String(value)}`);
    }
  }
  return v;
}

export function deploymentEntries(d: Doc): string[] {
  const v: string[] = [];
  const place = Object.keys(placements(d))[0];
  const dep = obj(d.deployment);
  for (const name of Object.keys(services(d))) {
    const entry = obj(obj(dep[name])[place ?? ""]);
    if (entry.profile !== name) v.push(`${name}: deployment profile ${String(entry.profile)}`);
    if (!(typeof entry.count === "number" && entry.count >= 1)) v.push(`${name}: deployment count ${String(entry.count)}`);
  }
  if (Object.keys(dep).some((k) => !(k in services(d)))) v.push("deployment names a service that does not exist");
  return v;
}

export function hoursOf(duration: string): number {
  const m = /^([0-9]+)(min|h|d|mon|y)$/.exec(duration);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return { min: n / 60, h: n, d: n * 24, mon: n * 720, y: n * 8760 }[m[2] as "min" | "h" | "d" | "mon" | "y"];
}

function toGi(size: unknown): number {
  const m = /^([0-9.]+)(Mi|Gi|Ti)$/.exec(String(size));
  if (!m) return Number.NaN;
  return Number(m[1]) * { Mi: 1 / 1024, Gi: 1, Ti: 1024 }[m[2] as "Mi" | "Gi" | "Ti"];
}

export { GPU_IDS };
