import { and, asc, eq } from "drizzle-orm";
import type { Db } from "#db/client";
import type { HotStatements } from "#db/hot-statements";
import { flowVersions, publishedAgents } from "#db/schema";
import type { GraphDoc } from "#agents/graph/index";
import { parseStoredGraph } from "./flow-graph";

/** A published agent as the gateway serves it: the slug a request names and its pinned version. */
export type ServedAgent = { id: string; teamId: string; slug: string; flowId: string; flowVersionId: string; createdAt: Date };

const servedAgentColumns = {
  id: publishedAgents.id,
  teamId: publishedAgents.teamId,
  slug: publishedAgents.slug,
  flowId: publishedAgents.flowId,
  flowVersionId: publishedAgents.flowVersionId,
  createdAt: publishedAgents.createdAt,
};

/** Versions never change once written, so a parsed graph can be kept by version id. */
const GRAPH_CACHE_LIMIT = 500;

/**
 * The published agents the gateway serves, for one running Skyloom: the lookup by slug runs on
 * every request (a hot statement, read each time so unpublishing takes effect at once), and the
 * pinned versions' parsed graphs are kept (bounded) for the next requests.
 */
export class ServedAgents {
  private readonly graphs = new Map<string, GraphDoc>();

  constructor(
    private readonly db: Db,
    private readonly statements: Pick<HotStatements, "findServedAgent">,
  ) {}

  /** The agent a request names; null when the team serves no such slug. */
  find(teamId: string, slug: string): ServedAgent | null {
    const row = this.statements.findServedAgent.get(teamId, slug);
    return row ? { ...row, createdAt: new Date(row.createdAt) } : null;
  }

  list(teamId: string): ServedAgent[] {
    return this.db
      .select(servedAgentColumns)
      .from(publishedAgents)
      .where(and(eq(publishedAgents.teamId, teamId), eq(publishedAgents.status, "active")))
      .orderBy(asc(publishedAgents.slug))
      .all();
  }

  pinnedGraph(agent: ServedAgent): GraphDoc {
    const cached = this.graphs.get(agent.flowVersionId);
    if (cached) return cached;
    const row = this.db
      .select({ graph: flowVersions.graph })
      .from(flowVersions)
      .where(and(eq(flowVersions.id, agent.flowVersionId), eq(flowVersions.teamId, agent.teamId)))
      .get();
    if (!row) throw new Error(`The pinned version ${agent.flowVersionId} of agent ${agent.id} is missing.`);
    const graph = parseStoredGraph(row.graph, `version ${agent.flowVersionId}`);
    if (this.graphs.size >= GRAPH_CACHE_LIMIT) this.graphs.delete(this.graphs.keys().next().value as string);
    this.graphs.set(agent.flowVersionId, graph);
    return graph;
  }
}
