import type { GraphDoc } from "../graph/doc";
import { nodeName } from "../graph/names";
import { diagnostic, type Diagnostic } from "../graph/diagnostics";
import type { ParsedNode } from "./parse-nodes";
import { priceWorkload, formatMicroSpon, type WorkloadPrice } from "./pricing";
import { KNOWN_REGIONS, type WorkloadSpec } from "../blocks/workload-spec";

/** Fizz nodes' limits (specs/spheron-and-akash.md, "Mode limits"). */
export const FIZZ_LIMITS = { cpu: 32, memoryGi: 128, storageGi: 2_000, forbiddenPublicPorts: [80, 443] } as const;

export type CollectedWorkload = {
  node: string;
  blockType: string;
  /** DNS-label name used by every target. */
  name: string;
  spec: WorkloadSpec;
  price: WorkloadPrice;
  /** Deployment group key: workloads that share one lease (same mode, duration, tier, regions). */
  group: string;
  /** Names of the workloads wired into this one's `uses` input (they call it). */
  consumers: string[];
};

export type WorkloadCollection = { workloads: CollectedWorkload[]; diagnostics: Diagnostic[] };

/**
 * The service name a workload gets: its configured name, or its kind and node id
 * ("endpoint-n-kn1qt1ao"), a DNS label every target accepts.
 */
export function serviceNameFor(nodeId: string, configured: string, blockType: string): string {
  if (configured !== "") return configured;
  const kind = (blockType.split(".").pop() ?? "workload").replace(/[^a-z0-9]+/g, "-");
  const slug = `${kind}-${nodeId.toLowerCase()}`.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return (/^[a-z]/.test(slug) ? slug : `w-${slug}`).slice(0, 63).replace(/-+$/, "");
}

/** The other node of a clash, as people know it: its label, else "another <block> block". */
function nameOfNode(nodes: ReadonlyMap<string, ParsedNode>, nodeId: string): string {
  const entry = nodes.get(nodeId);
  if (!entry) return "another block";
  return entry.node.ui.label?.trim() ? nodeName(entry.node, entry.block.title) : `another ${entry.block.title} block`;
}

export function groupKeyOf(spec: WorkloadSpec): string {
  return `${spec.mode}|${spec.durationHours}h|${spec.tier}|${spec.regions.join(";")}`;
}

/**
 * Builds every workload's spec through its block's `deploy`, names it, prices it and checks
 * the rules no single block can see: fizz limits, name clashes, ports, cross-lease wiring.
 */
export function collectWorkloads(graph: GraphDoc, nodes: ReadonlyMap<string, ParsedNode>): WorkloadCollection {
  const diagnostics: Diagnostic[] = [];
  const workloads: CollectedWorkload[] = [];
  const byNode = new Map<string, CollectedWorkload>();
  for (const entry of nodes.values()) {
    if (entry.block.part !== "workload" || !entry.ok || !entry.block.deploy) continue;
    const nodeId = entry.node.id;
    const result = entry.block.deploy(entry.config);
    for (const p of result.problems) diagnostics.push(diagnostic(p.code, p.message, { node: nodeId }, p.severity));
    if (!result.spec) continue;
    const spec = result.spec;
    const configured = (entry.config as { name?: unknown }).name;
    const workload: CollectedWorkload = {
      node: nodeId,
      blockType: entry.block.type,
      name: serviceNameFor(nodeId, typeof configured === "string" ? configured : "", entry.block.type),
      spec,
      price: priceWorkload(spec),
      group: groupKeyOf(spec),
      consumers: [],
    };
    diagnostics.push(...checkSpec(workload));
    workloads.push(workload);
    byNode.set(nodeId, workload);
  }

  const byName = new Map<string, CollectedWorkload>();
  for (const w of workloads) {
    const other = byName.get(w.name);
    if (other) {
      diagnostics.push(
        diagnostic("E309", `The name "${w.name}" is also used by ${nameOfNode(nodes, other.node)}; give one of them another service name.`, {
          node: w.node,
        }),
      );
    } else byName.set(w.name, w);
  }

  for (const edge of graph.edges) {
    const provider = byNode.get(edge.from.node);
    const consumer = byNode.get(edge.to.node);
    if (!provider || !consumer || edge.to.port !== "uses") continue;
    // A repeated edge (reported as E110) adds nothing and is not reported again here.
    if (provider.consumers.includes(consumer.name)) continue;
    provider.consumers.push(consumer.name);
    const internalOnly = provider.spec.ports.length > 0 && provider.spec.ports.every((p) => !p.public);
    if (provider.group !== consumer.group && internalOnly) {
      diagnostics.push(
        diagnostic(
          "E308",
          `"${consumer.name}" calls "${provider.name}", but they deploy as separate leases (mode, duration, tier or regions differ), so internal ports cannot reach across. Give both the same settings or make a port public.`,
          { node: consumer.node, edge: edge.id, port: "uses" },
        ),
      );
    }
  }
  for (const w of workloads) w.consumers.sort();
  workloads.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.node < b.node ? -1 : 1));
  return { workloads, diagnostics };
}

function checkSpec(w: CollectedWorkload): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { spec } = w;
  const at = { node: w.node };
  const seen = new Set<string>();
  for (const p of spec.ports) {
    const key = `${p.port}/${p.proto}`;
    if (seen.has(key)) out.push(diagnostic("E310", `Port ${key} is listed twice.`, at));
    seen.add(key);
  }
  if (spec.mode === "fizz") {
    const broken: string[] = [];
    for (const p of spec.ports) {
      if (p.public && (FIZZ_LIMITS.forbiddenPublicPorts as readonly number[]).includes(p.port)) {
        broken.push(`public port ${p.port} (Fizz nodes cannot expose 80 or 443; use another port such as 8080)`);
      }
    }
    const r = spec.resources;
    if (r.persistent) broken.push("a persistent volume (data-centre mode only)");
    if (r.shmGi > 0) broken.push("shared memory (data-centre mode only)");
    if (r.cpu > FIZZ_LIMITS.cpu) broken.push(`${r.cpu} CPU (at most ${FIZZ_LIMITS.cpu})`);
    if (r.memoryGi > FIZZ_LIMITS.memoryGi) broken.push(`${r.memoryGi} GiB memory (at most ${FIZZ_LIMITS.memoryGi})`);
    if (r.storageGi > FIZZ_LIMITS.storageGi) broken.push(`${r.storageGi} GiB disk (at most ${FIZZ_LIMITS.storageGi})`);
    if (spec.replicas > 1) broken.push(`${spec.replicas} replicas (they run one)`);
    for (const b of new Set(broken)) out.push(diagnostic("E304", `Community GPUs (Fizz nodes) do not allow ${b}.`, at));
  }
  for (const region of spec.regions) {
    if (!(KNOWN_REGIONS as readonly string[]).includes(region)) {
      out.push(
        diagnostic("E312", `"${region}" is not a region Skyloom knows (${KNOWN_REGIONS.join(", ")}); providers may not bid.`, at, "warning"),
      );
    }
  }
  if (w.price.capBelowEstimate) {
    out.push(
      diagnostic(
        "E307",
        `The cap of ${formatMicroSpon(spec.maxMicroSponPerHour ?? 0)} SPON/h is below the estimated ${formatMicroSpon(w.price.estimateMicroSponPerHour)} SPON/h; providers may not bid.`,
        at,
        "warning",
      ),
    );
  }
  return out;
}
