import { z } from "zod";
import { blockRegistry } from "#agents/blocks/index";
import { checkGraphIntegrity, GRAPH_LIMITS, GraphDocSchema, graphByteSize, type GraphDoc } from "#agents/graph/index";

/**
 * A graph that may be stored: the GraphDoc schema, the size limit, and the integrity checks
 * (known block types, unique ids, edges to real nodes and ports). Each problem becomes a zod
 * issue with a path, so the API answers BAD_REQUEST naming what to fix.
 */
export const StorableGraphSchema = GraphDocSchema.superRefine((graph, ctx) => {
  const bytes = graphByteSize(graph);
  if (bytes > GRAPH_LIMITS.maxBytes) {
    ctx.addIssue({
      code: "custom",
      message: `The flow is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${GRAPH_LIMITS.maxBytes / 1024 / 1024} MB.`,
    });
    return;
  }
  const nodeIndex = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const edgeIndex = new Map(graph.edges.map((e, i) => [e.id, i]));
  for (const problem of checkGraphIntegrity(graph, blockRegistry.resolvePorts).slice(0, 20)) {
    const path =
      problem.edge !== undefined
        ? ["edges", edgeIndex.get(problem.edge) ?? 0]
        : problem.node !== undefined
          ? ["nodes", nodeIndex.get(problem.node) ?? 0]
          : [];
    ctx.addIssue({ code: "custom", message: `${problem.code} ${problem.message}`, path });
  }
});

/** Reads a stored graph; a row that no longer matches the schema is a server fault, said plainly. */
export function parseStoredGraph(raw: unknown, where: string): GraphDoc {
  const parsed = GraphDocSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Stored graph of ${where} does not match the GraphDoc schema: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export function summarizeGraph(graph: GraphDoc) {
  const byType: Record<string, number> = {};
  for (const n of graph.nodes) byType[n.type] = (byType[n.type] ?? 0) + 1;
  return { nodes: graph.nodes.length, edges: graph.edges.length, byType };
}
