import { isRecord, list, record } from "./common";
import type { ImportFormat } from "./report";

/**
 * Which builder wrote a parsed file, from its shape alone (the file name only decides
 * whether the text is read as YAML):
 *  - Skyloom: `{ name, graph: { schemaVersion } }`
 *  - Langflow: `{ data: { nodes, edges } }` whose nodes are `genericNode`/`noteNode`
 *  - Flowise: `{ nodes, edges }` with `data.name` per node; Agentflow V2 when a node is `agentFlow`
 *  - Dify: `app` and `kind: app`, or `app` with `workflow`/`model_config`
 */
export function detectFormat(value: unknown): ImportFormat | undefined {
  if (!isRecord(value)) return undefined;
  if (isRecord(value.graph) && "schemaVersion" in value.graph) return "skyloom";
  if (isRecord(value.app) && (value.kind === "app" || "workflow" in value || "model_config" in value)) return "dify";
  const langflowNodes = list(record(value.data).nodes);
  if (langflowNodes.length > 0 || (isRecord(value.data) && Array.isArray(value.data.nodes) && Array.isArray(value.data.edges))) return "langflow";
  if (Array.isArray(value.nodes)) {
    const nodes = value.nodes.map(record);
    if (nodes.some((n) => n.type === "genericNode" || n.type === "noteNode")) return "langflow";
    if (nodes.some((n) => n.type === "agentFlow")) return "flowise-agentflow";
    return "flowise";
  }
  return undefined;
}
