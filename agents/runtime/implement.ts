import type { z } from "zod";
import type { GraphNode } from "../graph/doc";
import type { AnyBlockDefinition } from "../blocks/define-block";
import { BlockRunError, type NodeContext } from "./context";

/**
 * The inputs a runner receives, by port id: a single value, or an array for a `multiple`
 * input. Absent inputs are missing keys.
 */
export type NodeInputs = Readonly<Record<string, unknown>>;
export type NodeOutputs = Record<string, unknown>;

export type RunnerArgs<TConfig> = { config: TConfig; inputs: NodeInputs; node: GraphNode; ctx: NodeContext };
export type BlockRunner<TConfig> = (args: RunnerArgs<TConfig>) => Promise<NodeOutputs>;

export type Implementation<B extends AnyBlockDefinition = AnyBlockDefinition> = {
  block: B;
  run: BlockRunner<z.output<B["config"]>>;
};

/** A block's runtime, typed from its definition (the config is already parsed and migrated). */
export function implement<B extends AnyBlockDefinition>(block: B, run: BlockRunner<z.output<B["config"]>>): Implementation<B> {
  return { block, run };
}

/** Reads a text input, throwing a message that names the port when a required one is absent. */
export function textInput(inputs: NodeInputs, port: string, label: string): string {
  const value = inputs[port];
  if (value === undefined || value === null) throw new BlockRunError(`Connect something to "${label}".`);
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function optionalText(inputs: NodeInputs, port: string): string | undefined {
  const value = inputs[port];
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}
