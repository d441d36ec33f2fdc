import type { GraphDoc } from "../graph/doc";
import type { Diagnostic } from "../graph/diagnostics";
import type { WorkloadPrice } from "./pricing";
import { analyzeGraph, type GraphAnalysis, type ValidateOptions } from "./validate";
import type { DeploymentTier, WorkloadSpec } from "../blocks/workload-spec";

/**
 * The target-neutral IR: what to deploy, grouped into leases, and how deployed endpoints are
 * wired into agents. Every target reads only this, never the graph.
 */
export type PlannedWorkload = {
  node: string;
  blockType: string;
  name: string;
  spec: WorkloadSpec;
  price: WorkloadPrice;
  /** Index into Plan.groups. */
  group: number;
  /** Workloads that call this one; its internal ports open to them. */
  consumers: string[];
};

/** Workloads that share one lease: ICL puts mode, duration and tier on the whole document. */
export type DeploymentGroup = {
  key: string;
  /** Name of the group's first workload; names the file when a plan has several groups. */
  name: string;
  mode: "provider" | "fizz";
  tier: DeploymentTier;
  durationHours: number;
  regions: string[];
  workloads: string[];
};

/** An agent input that, at run time, resolves to a deployed model's endpoint. */
export type EndpointBinding = {
  endpointNode: string;
  workload: string;
  agentNode: string;
  agentPort: string;
  model: string;
  servedName: string;
  runtime: string;
  port: number;
  apiBase: string;
};

export type Plan = {
  /** Slug of the flow name: the ICL profile name and the Kubernetes part-of label. */
  name: string;
  workloads: PlannedWorkload[];
  groups: DeploymentGroup[];
  bindings: EndpointBinding[];
};

export type PlanResult = { plan: Plan | null; diagnostics: Diagnostic[] };

export function slugifyFlowName(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  return /^[a-z]/.test(slug) ? slug : `flow-${slug}`.replace(/-+$/, "");
}

/**
 * Lowers a graph to the plan. Returns no plan while any error diagnostic remains: a manifest
 * is only ever produced from a valid flow. Pass an analysis to reuse validate's work.
 */
export function planGraph(
  graph: GraphDoc,
  flow: { name: string },
  options: ValidateOptions & { analysis?: GraphAnalysis } = {},
): PlanResult {
  const analysis = options.analysis ?? analyzeGraph(graph, options);
  if (analysis.diagnostics.some((d) => d.severity === "error")) return { plan: null, diagnostics: analysis.diagnostics };

  const groups: DeploymentGroup[] = [];
  const groupIndex = new Map<string, number>();
  const workloads: PlannedWorkload[] = analysis.workloads.map((w) => {
    let index = groupIndex.get(w.group);
    if (index === undefined) {
      index = groups.length;
      groupIndex.set(w.group, index);
      groups.push({
        key: w.group,
        name: w.name,
        mode: w.spec.mode,
        tier: w.spec.tier,
        durationHours: w.spec.durationHours,
        regions: w.spec.regions,
        workloads: [],
      });
    }
    (groups[index] as DeploymentGroup).workloads.push(w.name);
    return { node: w.node, blockType: w.blockType, name: w.name, spec: w.spec, price: w.price, group: index, consumers: w.consumers };
  });

  const byNode = new Map(workloads.map((w) => [w.node, w]));
  const bindings: EndpointBinding[] = [];
  for (const edge of graph.edges) {
    const source = byNode.get(edge.from.node);
    const serves = source?.spec.serves;
    const target = analysis.nodes.get(edge.to.node);
    if (!source || !serves || !target || target.block.part !== "agent") continue;
    bindings.push({
      endpointNode: source.node,
      workload: source.name,
      agentNode: edge.to.node,
      agentPort: edge.to.port,
      model: serves.model,
      servedName: serves.servedName,
      runtime: serves.runtime,
      port: serves.port,
      apiBase: serves.apiBase,
    });
  }
  const key = (b: EndpointBinding) => `${b.agentNode}|${b.agentPort}|${b.endpointNode}`;
  // Code-unit order, not localeCompare: the same bytes on every machine.
  bindings.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

  return { plan: { name: slugifyFlowName(flow.name), workloads, groups, bindings }, diagnostics: analysis.diagnostics };
}
