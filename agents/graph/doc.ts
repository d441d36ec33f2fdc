import { z } from "zod";

/**
 * The graph document: the one format the canvas, the database, the compiler and the runtime
 * all read. `ui` never affects processing; `config` is validated by the block's own schema.
 */

/**
 * Limits leave room for the largest flows we promise (2,000 nodes) with a wide margin. The same
 * figures hold for a stored graph, a flow file, a paste and the API: `maxBytes` bounds both a
 * graph's JSON and a flow file's text, `maxDepth` how deeply a file or a config nests.
 */
export const GRAPH_LIMITS = {
  maxNodes: 5_000,
  maxEdges: 20_000,
  maxBytes: 5 * 1024 * 1024,
  maxDepth: 64,
  maxIdLength: 64,
} as const;

/** The graph format this build writes; upgradeGraph reads every older one. */
export const GRAPH_SCHEMA_VERSION = 1;

const IdSchema = z
  .string()
  .min(1, "An id cannot be empty")
  .max(GRAPH_LIMITS.maxIdLength, `An id is at most ${GRAPH_LIMITS.maxIdLength} characters`);

export const GraphNodeSchema = z.object({
  id: IdSchema,
  type: z.string().min(1).max(100),
  version: z.number().int().min(1),
  config: z.unknown(),
  ui: z.object({
    x: z.number().finite(),
    y: z.number().finite(),
    label: z.string().max(200).optional(),
  }),
});

export const PortRefSchema = z.object({ node: IdSchema, port: z.string().min(1).max(100) });

export const GraphEdgeSchema = z.object({
  id: IdSchema,
  from: PortRefSchema,
  to: PortRefSchema,
});

export const GraphDocSchema = z.object({
  schemaVersion: z.literal(GRAPH_SCHEMA_VERSION, {
    error: (issue) =>
      typeof issue.input === "number" && issue.input > GRAPH_SCHEMA_VERSION
        ? `This graph is format ${issue.input}, written by a newer Skyloom; this one reads format ${GRAPH_SCHEMA_VERSION} and older. Update Skyloom to open it.`
        : `schemaVersion must be ${GRAPH_SCHEMA_VERSION}`,
  }),
  nodes: z
    .array(GraphNodeSchema)
    .max(GRAPH_LIMITS.maxNodes, `A flow has at most ${GRAPH_LIMITS.maxNodes} nodes`),
  edges: z
    .array(GraphEdgeSchema)
    .max(GRAPH_LIMITS.maxEdges, `A flow has at most ${GRAPH_LIMITS.maxEdges} edges`),
});

export type GraphDoc = z.infer<typeof GraphDocSchema>;
export type GraphNode = z.infer<typeof GraphNodeSchema>;
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;
export type PortRef = z.infer<typeof PortRefSchema>;

export function emptyGraph(): GraphDoc {
  return { schemaVersion: GRAPH_SCHEMA_VERSION, nodes: [], edges: [] };
}

/** Serialised size in bytes, the figure GRAPH_LIMITS.maxBytes is checked against. */
export function graphByteSize(doc: unknown): number {
  return new TextEncoder().encode(JSON.stringify(doc)).length;
}
