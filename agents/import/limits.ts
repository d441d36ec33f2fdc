import { GRAPH_LIMITS } from "../graph/doc";

/**
 * What an imported file may hold. The text limit is the flow limit: other builders' files
 * carry more per node than ours (Langflow keeps each component's source), but a file over
 * 5 MB is far beyond any flow a person builds by hand.
 */
export const IMPORT_LIMITS = {
  maxBytes: GRAPH_LIMITS.maxBytes,
  /** YAML (Dify) files: characters; parsing YAML costs far more per byte than JSON. */
  maxYamlBytes: 1024 * 1024,
  /** Objects and arrays inside one another; real exports stay well under 30. */
  maxDepth: 64,
  maxNodes: 2_000,
  maxEdges: 8_000,
  /** YAML aliases (`*name`) in one file; a billion-laughs file needs thousands. */
  maxAliasCount: 100,
} as const;
