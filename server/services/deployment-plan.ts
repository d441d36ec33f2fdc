import { blockRegistry } from "#agents/blocks/index";
import { describeErrors } from "#agents/graph/diagnostics";
import { nodeNamer, type GraphDoc } from "#agents/graph/index";
import type { Db } from "#db/client";
import type { DeployedWorkload } from "#db/schema";
import { deploymentInputsFromCompile } from "../marketplace/from-plan";
import { MarketplaceError, type Budget, type CreateDeploymentInput } from "../marketplace/marketplace";
import { compileForDispatch } from "./dispatch-manifests";
import { badRequest } from "./errors";

/**
 * From a saved flow to the marketplace deployments it makes: compile for dispatch (credential
 * values filled in), one deployment input per deployment group, with the graph's workloads
 * each group runs and the budget the team chose.
 */
export type DeployOptions = {
  /** Replicas of every workload (a redeploy with other replicas); omitted: as the blocks say. */
  replicas?: number;
  /** null: until stopped. */
  durationHours: number | null;
  /** The most to pay per hour for the whole flow, in SPON as a decimal string ("1.5"). */
  maxPricePerHourSpon?: string;
};

/** "Until stopped" leases for the longest term the marketplace takes; stopping ends it sooner. */
export const UNTIL_STOPPED_SECONDS = 365 * 24 * 3600;
export const MAX_DURATION_HOURS = 24 * 365;

export type DeployGroup = { input: CreateDeploymentInput; workloads: DeployedWorkload[]; estimateMicroSponPerHour: number };

function withReplicas(graph: GraphDoc, replicas: number): GraphDoc {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (blockRegistry.get(n.type)?.part === "workload" ? { ...n, config: { ...(n.config as Record<string, unknown>), replicas } } : n)),
  };
}

export function compileFlowForDeploy(db: Db, secretKey: Buffer, teamId: string, flow: { name: string; graph: GraphDoc }, options: { replicas?: number }): DeployGroup[] {
  const graph = options.replicas === undefined ? flow.graph : withReplicas(flow.graph, options.replicas);
  const result = compileForDispatch(db, secretKey, teamId, { name: flow.name, graph });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (!result.ok || !result.plan) {
    throw badRequest(errors.length > 0 ? describeErrors(errors, "deploying", nodeNamer(graph, blockRegistry)) : "The flow does not compile; fix its errors before deploying.");
  }
  const plan = result.plan;
  if (plan.groups.length === 0) throw badRequest("This flow has nothing to deploy: add a Model Endpoint or another workload block.");
  let inputs: CreateDeploymentInput[];
  try {
    inputs = deploymentInputsFromCompile(result, { teamId });
  } catch (error) {
    if (error instanceof MarketplaceError) throw badRequest(error.message);
    throw error;
  }
  return inputs.map((input, index) => {
    const workloads = plan.workloads.filter((w) => w.group === index);
    return {
      input,
      workloads: workloads.map((w) => ({ node: w.node, name: w.name, servedName: w.spec.serves?.servedName ?? null })),
      estimateMicroSponPerHour: workloads.reduce((n, w) => n + w.price.estimateMicroSponPerHour, 0),
    };
  });
}

/** "1.25" SPON per hour → wei per second (rounded down: a cap never grows). */
export function weiPerSecondFromSponPerHour(text: string): bigint {
  const m = /^(\d{1,9})(?:\.(\d{1,18}))?$/.exec(text.trim());
  if (!m) throw badRequest(`maxPricePerHourSpon: "${text}" is not an amount of SPON such as 1.5 (at most 18 decimals).`);
  const wei = BigInt(m[1] as string) * 10n ** 18n + BigInt((m[2] ?? "").padEnd(18, "0"));
  const perSecond = wei / 3600n;
  if (perSecond <= 0n) throw badRequest("maxPricePerHourSpon: the maximum price must be above zero.");
  return perSecond;
}

/**
 * The budget of one group: the team's maximum for the flow shared among the groups in
 * proportion to their default bids (one group: all of it), for the chosen duration.
 */
export function budgetFor(group: DeployGroup, all: readonly DeployGroup[], options: DeployOptions): Budget {
  if (options.durationHours !== null && (!Number.isInteger(options.durationHours) || options.durationHours < 1 || options.durationHours > MAX_DURATION_HOURS)) {
    throw badRequest(`durationHours: a whole number of hours from 1 to ${MAX_DURATION_HOURS}, or null for "until stopped".`);
  }
  const durationSeconds = options.durationHours === null ? UNTIL_STOPPED_SECONDS : options.durationHours * 3600;
  let max = group.input.budget.maxPriceWeiPerSecond;
  if (options.maxPricePerHourSpon !== undefined) {
    const total = all.reduce((n, g) => n + g.input.budget.maxPriceWeiPerSecond, 0n);
    const cap = weiPerSecondFromSponPerHour(options.maxPricePerHourSpon);
    max = total > 0n ? (cap * max) / total : cap;
    if (max <= 0n) throw badRequest("maxPricePerHourSpon: too small to share among the flow's deployments.");
  }
  return { maxPriceWeiPerSecond: max, durationSeconds, escrowWei: max * BigInt(durationSeconds) };
}
