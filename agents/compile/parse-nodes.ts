import { parseBlockConfig, type AnyBlockDefinition } from "../blocks/define-block";
import type { BlockRegistry } from "../blocks/registry";
import type { GraphDoc, GraphNode } from "../graph/doc";
import { diagnostic, type Diagnostic } from "../graph/diagnostics";

/** One node with its block and its config brought up to date and validated. */
export type ParsedNode =
  | { node: GraphNode; block: AnyBlockDefinition; ok: true; config: unknown }
  | { node: GraphNode; block: AnyBlockDefinition; ok: false; config: undefined };

/**
 * Parses every node's config exactly once (migrations, then the block's zod schema). Unknown
 * blocks are left out (the integrity check reports them); a node whose id repeats keeps its
 * first occurrence. Each zod issue becomes an E201 that names the field in its message.
 */
export function parseNodeConfigs(
  graph: GraphDoc,
  registry: BlockRegistry,
): { nodes: Map<string, ParsedNode>; diagnostics: Diagnostic[] } {
  const nodes = new Map<string, ParsedNode>();
  const diagnostics: Diagnostic[] = [];
  for (const node of graph.nodes) {
    if (nodes.has(node.id)) continue;
    const block = registry.get(node.type);
    if (!block) continue;
    const upgrade = upgradeProblem(block, node.version);
    if (upgrade) {
      diagnostics.push(diagnostic("E203", upgrade, { node: node.id }));
      nodes.set(node.id, { node, block, ok: false, config: undefined });
      continue;
    }
    const result = parseBlockConfig(block, node.version, node.config);
    if (result.ok) {
      nodes.set(node.id, { node, block, ok: true, config: result.config });
      continue;
    }
    nodes.set(node.id, { node, block, ok: false, config: undefined });
    for (const issue of result.issues) {
      const field = issue.path === "" ? "" : `${issue.path}: `;
      diagnostics.push(diagnostic("E201", `${field}${issue.message}`, { node: node.id }));
    }
  }
  return { nodes, diagnostics };
}

function upgradeProblem(block: AnyBlockDefinition, version: number): string | null {
  if (version > block.version) {
    return `This ${block.title} block was saved by a newer Skyloom (version ${version}; this one knows up to ${block.version}).`;
  }
  for (let v = version; v < block.version; v++) {
    if (!block.migrate?.[v]) return `${block.title} has no upgrade from version ${v} to ${v + 1}.`;
  }
  return null;
}
