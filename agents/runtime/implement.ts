import type { z } from "zod";
import type { GraphNode } from "../graph/doc";
import type { PortSpec } from "../graph/ports";
import type { AnyBlockDefinition } from "../blocks/define-block";
import type { NodeContext } from "./context";
import type { PortValueOf, Skipped } from "./values";

/** Every input of a node by port id, untyped: a single value, or an array for a `multiple` input. */
export type NodeInputs = Readonly<Record<string, unknown>>;
export type NodeOutputs = Record<string, unknown>;

/** The port list a definition declares, whether static or computed from the config. */
type DeclaredPorts<L> = Exclude<L, (...args: never[]) => unknown> extends infer P extends readonly PortSpec[] ? P : readonly PortSpec[];
/** The ports whose id is known when the block is written (not computed from the config, like `{variables}`). */
type KnownPort<P extends readonly PortSpec[]> = P[number] extends infer S ? (S extends PortSpec ? (string extends S["id"] ? never : S) : never) : never;

type InputValue<S extends PortSpec> = S extends { multiple: true } ? readonly PortValueOf<S["type"]>[] : PortValueOf<S["type"]>;
/** Required inputs are always there (validate refuses the graph otherwise, the executor the run); `multiple` ones are arrays, maybe empty. */
type AlwaysThere<S> = S extends { required: true } | { multiple: true } ? true : false;

/**
 * A runner's inputs, typed by its block's declared input ports: `inputs.memory` on a block
 * with a memory input is a MemoryValue or undefined, and `inputs.memroy` is a type error.
 */
export type InputsOf<P extends readonly PortSpec[]> = Readonly<
  { [S in KnownPort<P> as AlwaysThere<S> extends true ? S["id"] : never]: InputValue<S> } & {
    [S in KnownPort<P> as AlwaysThere<S> extends true ? never : S["id"]]?: InputValue<S>;
  }
>;

/**
 * What a runner returns, typed by its block's declared output ports; a block with ports
 * computed from the config (a router's routes) may also return those by id. Any output may be
 * SKIPPED (a branch not taken).
 */
export type OutputsOf<P extends readonly PortSpec[]> = {
  [S in KnownPort<P> as S["id"]]?: PortValueOf<S["type"]> | Skipped;
} & (string extends P[number]["id"] ? NodeOutputs : unknown);

export type BlockInputs<B extends AnyBlockDefinition> = InputsOf<DeclaredPorts<B["inputs"]>>;
export type BlockOutputs<B extends AnyBlockDefinition> = OutputsOf<DeclaredPorts<B["outputs"]>>;

export type RunnerArgs<B extends AnyBlockDefinition> = {
  /** The node's config, already migrated and parsed by the block's schema. */
  config: z.output<B["config"]>;
  inputs: BlockInputs<B>;
  /** The same inputs by any port id, untyped: for ports computed from the config (a template's `{variables}`). */
  inputsById: NodeInputs;
  node: GraphNode;
  ctx: NodeContext;
};
export type BlockRunner<B extends AnyBlockDefinition> = (args: RunnerArgs<B>) => Promise<BlockOutputs<B>>;

export type Implementation<B extends AnyBlockDefinition = AnyBlockDefinition> = {
  block: B;
  run: BlockRunner<B>;
};

/** Keys a runner returns that its block does not declare: each must be `never`, so none compiles. */
type UndeclaredOutputs<R, B extends AnyBlockDefinition> = { [K in Exclude<keyof R, keyof BlockOutputs<B>>]: never };

/** A block's runtime, typed from its definition: config, inputs and outputs. */
export function implement<B extends AnyBlockDefinition, R extends BlockOutputs<B>>(
  block: B,
  run: (args: RunnerArgs<B>) => Promise<R & UndeclaredOutputs<R, B>>,
): Implementation<B> {
  return { block, run };
}
