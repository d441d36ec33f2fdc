import { z } from "zod";
import type { GraphNode } from "../graph/doc";
import type { NodePorts, PortResolver } from "../graph/ports";
import { blockPorts, parseBlockConfig, type AnyBlockDefinition, type BlockRole } from "./define-block";

/** Resolves to the first block type that appears twice in a list, or `never`. */
export type DuplicateType<L extends readonly { type: string }[]> = L extends readonly [
  infer Head extends { type: string },
  ...infer Rest extends readonly { type: string }[],
]
  ? Head["type"] extends Rest[number]["type"]
    ? Head["type"]
    : DuplicateType<Rest>
  : never;

export class DuplicateBlockTypeError extends Error {
  constructor(readonly blockType: string) {
    super(`Block type "${blockType}" is registered twice.`);
    this.name = "DuplicateBlockTypeError";
  }
}

/** What the canvas and the API show about a block: its definition minus code. */
export type BlockSummary = {
  type: string;
  version: number;
  title: string;
  category: string;
  description: string;
  icon: string;
  /** Ports for the default config (dynamic blocks compute theirs per node). */
  inputs: NodePorts["inputs"];
  outputs: NodePorts["outputs"];
  /** JSON Schema of the config (zod metadata included), to draw the config form. */
  configSchema: unknown;
};

export type BlockRegistry = {
  list(): readonly AnyBlockDefinition[];
  get(type: string): AnyBlockDefinition | undefined;
  /** The ports of a node as stored (undefined for an unknown type). */
  resolvePorts: PortResolver;
  summaries(): BlockSummary[];
  /** Whether a node's block declares a role (false for an unknown type). */
  hasRole(type: string, role: BlockRole): boolean;
};

/** The conversation-memory keys of a graph's memory blocks (valid configs only), without repeats. */
export function memoryKeysOf(graph: { nodes: readonly GraphNode[] }, blocks: Pick<BlockRegistry, "get">): string[] {
  const keys = new Set<string>();
  for (const node of graph.nodes) {
    const block = blocks.get(node.type);
    if (!block?.roles?.memory) continue;
    const parsed = parseBlockConfig(block, node.version, node.config);
    if (parsed.ok) keys.add(block.roles.memory.key(parsed.config, node.id));
  }
  return [...keys];
}

export function createBlockRegistry(blocks: readonly AnyBlockDefinition[]): BlockRegistry {
  const byType = new Map<string, AnyBlockDefinition>();
  for (const block of blocks) {
    if (byType.has(block.type)) throw new DuplicateBlockTypeError(block.type);
    byType.set(block.type, block);
  }
  const resolvePorts = (node: GraphNode): NodePorts | undefined => {
    const block = byType.get(node.type);
    return block ? blockPorts(block, node.version, node.config) : undefined;
  };
  return {
    list: () => blocks,
    get: (type) => byType.get(type),
    resolvePorts,
    hasRole: (type, role) => byType.get(type)?.roles?.[role] !== undefined,
    summaries: () =>
      blocks.map((b) => {
        const ports = blockPorts(b, b.version, {});
        return {
          type: b.type,
          version: b.version,
          title: b.title,
          category: b.category,
          description: b.description,
          icon: b.icon,
          inputs: ports.inputs,
          outputs: ports.outputs,
          configSchema: z.toJSONSchema(b.config, { io: "input", unrepresentable: "any" }),
        };
      }),
  };
}
