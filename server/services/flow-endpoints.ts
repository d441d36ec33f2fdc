import type { EndpointResolver, ResolvedEndpoint } from "#agents/runtime/context";
import { diagnostic, type Diagnostic } from "#agents/graph/diagnostics";
import { nodeNamer, type GraphDoc } from "#agents/graph/index";
import { blockRegistry } from "#agents/blocks/index";
import { MarketplaceError, type Marketplace } from "../marketplace/marketplace";
import type { DeploymentService } from "./deployments";

/**
 * A run's model.endpoint nodes answer through the team's deployment of that flow (ADR 028):
 * the newest live deployment serving the node, waited for (bounded) while it is ordered,
 * started or moved by a failover. Without one, the run's error says what to do.
 */
export const DEPLOY_FIRST = "Deploy this flow's model endpoint first";
export const DEFAULT_ENDPOINT_WAIT_MS = 20_000;

export function flowEndpointResolver(
  deps: { deployments: DeploymentService; marketplace: Marketplace; timeoutMs?: number },
  scope: { teamId: string; flowId: string | null },
): EndpointResolver {
  return {
    async resolve(node): Promise<ResolvedEndpoint> {
      const rows = scope.flowId ? deps.deployments.deploymentsServing(scope.teamId, scope.flowId, node.id) : [];
      if (rows.length === 0) throw new Error(`${DEPLOY_FIRST}: open Deploy and press Deploy; the agent answers through it once it is ready.`);
      // The newest one that is ready now serves; else the newest still on its way is waited for.
      const statuses = await Promise.all(rows.map((r) => deps.deployments.statusOf(r)));
      const alive = (s: (typeof statuses)[number]) => s.status !== "failed" && s.status !== "closed";
      const ready = statuses.findIndex((s) => s.status === "ready");
      const index = ready >= 0 ? ready : statuses.findIndex(alive);
      // Every deployment of it failed: the newest one's reason is the answer.
      if (index < 0) throw new Error(`${DEPLOY_FIRST}: its last deployment failed: ${statuses[0]?.message ?? "see its events"}`);
      const row = rows[index] as (typeof rows)[number];
      const servedName = row.workloads.find((w) => w.node === node.id)?.servedName ?? undefined;
      try {
        const served = await deps.marketplace.endpoint({ teamId: scope.teamId, deploymentId: row.marketDeploymentId }, { model: servedName, timeoutMs: deps.timeoutMs ?? DEFAULT_ENDPOINT_WAIT_MS });
        return { baseUrl: served.baseUrl, model: served.model, apiKey: served.apiKey };
      } catch (error) {
        if (error instanceof MarketplaceError) throw new Error(`The flow's model endpoint is not serving: ${error.message}`);
        throw error;
      }
    },
  };
}

/** Model Endpoint nodes of a graph (what must be deployed for its agents to answer). */
export function endpointNodesOf(graph: GraphDoc): string[] {
  return graph.nodes.filter((n) => blockRegistry.hasRole(n.type, "modelEndpoint")).map((n) => n.id);
}

/**
 * A warning on each Model Endpoint node the team has no ready deployment of (validation in the
 * Deploy panel); publishing refuses while there is one, so "Live" never means 500s.
 */
export async function undeployedEndpointProblems(deployments: DeploymentService, scope: { teamId: string; flowId: string }, graph: GraphDoc): Promise<Diagnostic[]> {
  const nameOf = nodeNamer(graph, blockRegistry);
  const problems: Diagnostic[] = [];
  for (const nodeId of endpointNodesOf(graph)) {
    const rows = deployments.deploymentsServing(scope.teamId, scope.flowId, nodeId);
    const statuses = await Promise.all(rows.map((r) => deployments.statusOf(r)));
    if (statuses.some((s) => s.status === "ready" || s.status === "sleeping")) continue;
    const name = nameOf(nodeId) ?? nodeId;
    const latest = statuses[0];
    const why = !latest
      ? `${name} is not deployed; open Deploy and press Deploy.`
      : latest.status === "failed"
        ? `the deployment of ${name} failed: ${latest.message ?? "see its events"}`
        : `${name} is still being deployed (${latest.status}); it answers once it is ready.`;
    problems.push(diagnostic("E317", `${DEPLOY_FIRST}: ${why}`, { node: nodeId }, "warning"));
  }
  return problems;
}
