import type { GraphDoc } from "../graph/doc";
import { diagnostic, type Diagnostic } from "../graph/diagnostics";
import { planGraph, type Plan } from "./plan";
import { quotePlan, type Quote } from "./quote";
import { resolvePlanSecrets, type SecretResolver } from "./secrets";
import { akashSdlTarget } from "./targets/akash-sdl/index";
import { kubernetesTarget } from "./targets/kubernetes/index";
import { spheronIclTarget } from "./targets/spheron-icl/index";
import { TARGET_IDS, type ManifestFile, type Target, type TargetId, type TargetOptions } from "./targets/types";
import { analyzeGraph, type ValidateOptions } from "./validate";

export const TARGETS: Readonly<Record<TargetId, Target>> = {
  "spheron-icl": spheronIclTarget,
  "akash-sdl": akashSdlTarget,
  kubernetes: kubernetesTarget,
};
export { TARGET_IDS, type TargetId, type ManifestFile, type TargetOptions };

export type CompileResult = {
  /** True when there were no errors and at least one workload to deploy. */
  ok: boolean;
  diagnostics: Diagnostic[];
  plan: Plan | null;
  /** Files per requested target; empty when not ok. */
  manifests: Partial<Record<TargetId, ManifestFile[]>>;
  quote: Quote | null;
};

/**
 * The whole pipeline: validate → plan → every requested target → quote. Pure and
 * deterministic: the same graph and options always give the same bytes.
 */
export function compileGraph(
  graph: GraphDoc,
  flow: { name: string },
  options: ValidateOptions & TargetOptions & { targets?: readonly TargetId[]; resolveSecret?: SecretResolver } = {},
): CompileResult {
  const analysis = analyzeGraph(graph, options);
  const planned = planGraph(graph, flow, { ...options, analysis });
  const diagnostics = planned.diagnostics;
  let plan = planned.plan;
  if (!plan) return { ok: false, diagnostics, plan: null, manifests: {}, quote: null };
  if (options.resolveSecret) {
    // Dispatch only: the manifests that go to a node carry the credentials' values.
    const resolved = resolvePlanSecrets(plan, options.resolveSecret);
    if (resolved.diagnostics.length > 0) return { ok: false, diagnostics: [...diagnostics, ...resolved.diagnostics], plan: null, manifests: {}, quote: null };
    plan = resolved.plan;
  }
  if (plan.workloads.length === 0) {
    const nothing = diagnostic(
      "E311",
      "This flow has no workload blocks (Model Endpoint, Container, Batch Job), so there is nothing to deploy.",
    );
    return { ok: false, diagnostics: [...diagnostics, nothing], plan, manifests: {}, quote: null };
  }
  const manifests: Partial<Record<TargetId, ManifestFile[]>> = {};
  for (const id of options.targets ?? TARGET_IDS) manifests[id] = TARGETS[id].emit(plan, options);
  return { ok: true, diagnostics, plan, manifests, quote: quotePlan(plan) };
}
