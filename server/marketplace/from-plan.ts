import type { CompileResult } from "#agents/compile/compile";
import type { Plan } from "#agents/compile/plan";
import { kubernetesTarget } from "#agents/compile/targets/kubernetes/index";
import type { CreateDeploymentInput, DeploymentManifest, OrderRequirements } from "./marketplace";
import { MarketplaceError } from "./marketplace";
import { weiPerSecondFromMicroSponPerHour } from "./rules";

/**
 * Turns the compiler's output into marketplace deployments: one per deployment group (the
 * workloads ICL puts in one document share one lease), with the group's ICL file as the
 * manifest's source. The deployments service calls this with `compileForDispatch`'s result.
 */
export function deploymentInputsFromCompile(result: CompileResult, options: { teamId: string; escrowWei?: bigint }): CreateDeploymentInput[] {
  if (!result.ok || !result.plan) throw new MarketplaceError("BAD_REQUEST", "The flow does not compile; fix its errors before deploying.");
  const icl = result.manifests["spheron-icl"];
  if (!icl || icl.length !== result.plan.groups.length) throw new MarketplaceError("BAD_REQUEST", "Compile the flow with the spheron-icl target to deploy it.");
  return result.plan.groups.map((_, index) => deploymentInputFromPlanGroup(result.plan as Plan, index, icl[index]?.content ?? "", options));
}

export function deploymentInputFromPlanGroup(plan: Plan, groupIndex: number, iclText: string, options: { teamId: string; escrowWei?: bigint }): CreateDeploymentInput {
  const group = plan.groups[groupIndex];
  if (!group) throw new MarketplaceError("BAD_REQUEST", `The plan has no deployment group ${groupIndex}.`);
  const workloads = plan.workloads.filter((w) => w.group === groupIndex);

  let gpu: OrderRequirements["gpu"] = null;
  for (const w of workloads) {
    const g = w.spec.resources.gpu;
    if (!g) continue;
    const count = g.count * w.spec.replicas;
    // One lease runs on one node, so every GPU service must take a model that node has.
    gpu = gpu ? { count: gpu.count + count, models: gpu.models.filter((m) => g.models.includes(m)) } : { count, models: [...g.models] };
  }
  if (gpu && gpu.models.length === 0) {
    throw new MarketplaceError("BAD_REQUEST", `The workloads of "${group.name}" need different GPU models, so no single node can hold them; deploy them separately.`);
  }
  const sum = (f: (w: (typeof workloads)[number]) => number) => workloads.reduce((n, w) => n + f(w) * w.spec.replicas, 0);
  const requirements: OrderRequirements = {
    mode: group.mode,
    tier: group.tier,
    regions: group.regions,
    cpu: sum((w) => w.spec.resources.cpu),
    memoryGi: sum((w) => w.spec.resources.memoryGi),
    storageGi: sum((w) => w.spec.resources.storageGi + (w.spec.resources.persistent?.sizeGi ?? 0)),
    shmGi: sum((w) => w.spec.resources.shmGi),
    persistentStorage: workloads.some((w) => w.spec.resources.persistent !== null),
    // A public HTTP port becomes `as: 80` ingress in provider mode only (the ICL target's rule).
    ingressPorts: group.mode === "provider" && workloads.some((w) => w.spec.ports.some((p) => p.public && p.http && p.proto === "tcp")),
    replicas: Math.max(...workloads.map((w) => w.spec.replicas)),
    gpu,
    needsContainers: workloads.some((w) => w.spec.serves === null),
    needsModelServing: workloads.some((w) => w.spec.serves !== null),
  };
  const manifest: DeploymentManifest = {
    format: "skyloom-local/1",
    name: group.name,
    services: workloads.map((w) => ({
      name: w.name,
      image: w.spec.image,
      serves: w.spec.serves ? { model: w.spec.serves.model, servedName: w.spec.serves.servedName, runtime: w.spec.serves.runtime } : null,
      ports: w.spec.ports.map((p) => ({ port: p.port, public: p.public, http: p.http })),
      replicas: w.spec.replicas,
    })),
    icl: iclText,
  };
  const maxPriceWeiPerSecond = weiPerSecondFromMicroSponPerHour(workloads.reduce((n, w) => n + w.price.bidMicroSponPerHour, 0));
  const durationSeconds = group.durationHours * 3600;
  return {
    teamId: options.teamId,
    name: `${plan.name}/${group.name}`,
    manifest,
    requirements,
    budget: { maxPriceWeiPerSecond, durationSeconds, escrowWei: options.escrowWei ?? maxPriceWeiPerSecond * BigInt(durationSeconds) },
    // The same group as Kubernetes objects, for a team that deploys to its own cluster.
    kubernetesManifest: kubernetesTarget.emit({ ...plan, workloads }, {})[0]?.content,
  };
}
