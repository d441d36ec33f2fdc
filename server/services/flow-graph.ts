import { blockRegistry } from "#agents/blocks/index";
import {
  checkGraphIntegrity,
  findUnsafeJson,
  formatMegabytes,
  GRAPH_LIMITS,
  GraphDocSchema,
  graphByteSize,
  GraphFormatError,
  upgradeBlocks,
  upgradeGraph,
  type GraphDoc,
} from "#agents/graph/index";

/**
 * A graph that may be stored: the GraphDoc schema, the size and depth limits, no keys that
 * reach a prototype, and the integrity checks (known block types, unique ids, edges to real
 * nodes and ports). Each problem becomes a zod issue with a path, so the API answers
 * BAD_REQUEST naming what to fix. A graph that passes is stored with every node at its block's
 * current version (agents/graph/upgrade.ts).
 */
export const StorableGraphSchema = GraphDocSchema.superRefine((graph, ctx) => {
  const bytes = graphByteSize(graph);
  if (bytes > GRAPH_LIMITS.maxBytes) {
    ctx.addIssue({
      code: "custom",
      message: `The flow is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${formatMegabytes(GRAPH_LIMITS.maxBytes)}.`,
    });
    return;
  }
  const unsafe = findUnsafeJson(graph, "The flow");
  if (unsafe) {
    ctx.addIssue({ code: "custom", message: `${unsafe.message} ${unsafe.details.join("; ")}` });
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
}).transform((graph) => upgradeBlocks(graph, blockRegistry).graph);

/**
 * Reads a stored graph, upgraded to this build (graph format, then each node's block version;
 * the row itself is rewritten at the next save). A row no graph format can read is a server
 * fault, said plainly.
 */
export function parseStoredGraph(raw: unknown, where: string): GraphDoc {
  try {
    return upgradeGraph(raw, blockRegistry).graph;
  } catch (error) {
    if (!(error instanceof GraphFormatError)) throw error;
    throw new Error(`Stored graph of ${where} does not match the GraphDoc schema: ${error.message} ${error.details().join("; ")}`);
  }
}

export function summarizeGraph(graph: GraphDoc) {
  const byType: Record<string, number> = {};
  for (const n of graph.nodes) byType[n.type] = (byType[n.type] ?? 0) + 1;
  return { nodes: graph.nodes.length, edges: graph.edges.length, byType };
}
