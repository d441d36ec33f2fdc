import { z } from "zod";
import type { GraphNode } from "../graph/doc";
import type { NodePorts, PortResolver } from "../graph/ports";
import { blockPorts, type AnyBlockDefinition } from "./define-block";

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
};

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
