import type { z } from "zod";
import type { DeployResult } from "./workload-spec";
import type { NodePorts, PortSpec } from "../graph/ports";
import { migrateBlockConfig, type ConfigMigration } from "../graph/upgrade";
// The typed `.meta()` of config fields (zod's GlobalMeta is widened there).
import "./config-form";

export const BLOCK_CATEGORIES = [
  "Inputs & Outputs",
  "Prompts",
  "Models",
  "Agents",
  "Memory",
  "Tools",
  "Knowledge",
  "Logic",
  "Workloads",
  "Notes",
] as const;
export type BlockCategory = (typeof BLOCK_CATEGORIES)[number];

/** Static ports, or ports computed from the block's (valid) config, like prompt variables. */
// Method syntax keeps the function parameter bivariant, so every definition fits AnyBlockDefinition.
type PortsFromConfig<TConfig, TPorts> = { ports(config: TConfig): TPorts }["ports"];
export type PortList<TConfig, TPorts extends readonly PortSpec[] = readonly PortSpec[]> = TPorts | PortsFromConfig<TConfig, TPorts>;

/** A workload block's contribution to compilation (method syntax for the same bivariance). */
type DeployFromConfig<TConfig> = { deploy(config: TConfig): DeployResult }["deploy"];

/**
 * Everything the canvas, the compiler and the runtime need to know about a block, in one
 * place. Isomorphic: types and zod only, so the browser imports it too.
 */
export type BlockPart = "agent" | "workload" | "note";

/** How a memory block's node names the conversation memory it keeps (method syntax: bivariant). */
type MemoryRole<TConfig> = { key(config: TConfig, nodeId: string): string };

/**
 * What a block is to the rest of Skyloom beyond its ports. The run planner, the gateway and
 * publishing ask the registry for a role (hasRole, memoryKeysOf), never for a block type, so a new
 * block takes part by declaring a role and no code outside its folder names it.
 */
export type BlockRoles<TConfig> = {
  /** A person's message enters the flow here; a published agent needs one. */
  chatInput?: true;
  /** The answer leaves here: a run runs what feeds these, and text streamed straight into one is the answer. */
  chatOutput?: true;
  /** Keeps each conversation's messages under `key` (nodes with the same key share them). */
  memory?: MemoryRole<TConfig>;
  /**
   * Deployed, it serves an OpenAI-compatible model: a run reaches it through the run context's
   * endpoints (a workload without this role cannot take part in a chat).
   */
  modelEndpoint?: true;
  /**
   * Reads one of the team's knowledge bases, named by `id(config)`: validation marks the node
   * when none is chosen, and, where the team's bases are known (the canvas), when it is not one.
   */
  knowledgeBase?: KnowledgeBaseRole<TConfig>;
};
/** (Method syntax: bivariant, like MemoryRole.) */
type KnowledgeBaseRole<TConfig> = { id(config: TConfig): string };
export type BlockRole = keyof BlockRoles<unknown>;

export type BlockDefinition<
  TType extends string = string,
  TSchema extends z.ZodType = z.ZodType,
  // Kept literal so the runner registry can require a runner for every agent block at compile time.
  TPart extends BlockPart = BlockPart,
  // Kept literal (port ids and types) so a runner's inputs are typed by them (runtime/implement.ts).
  TInputs extends readonly PortSpec[] = readonly PortSpec[],
  TOutputs extends readonly PortSpec[] = readonly PortSpec[],
> = {
  type: TType;
  /** Bumped when the config shape changes; `migrate` brings older configs up to date. */
  version: number;
  title: string;
  category: BlockCategory;
  /**
   * "agent": runs in Skyloom's runtime and needs a runner (index.server.ts).
   * "workload": compiles into deployment manifests and runs on the marketplace.
   * "note": text on the canvas only; never runs, never deploys.
   */
  part: TPart;
  /** One line, shown in the palette. */
  description: string;
  /** A lucide icon name (kebab-case), e.g. "message-square". */
  icon: string;
  inputs: PortList<z.output<TSchema>, TInputs>;
  outputs: PortList<z.output<TSchema>, TOutputs>;
  /**
   * The config schema, with defaults; it drives the config form. Each field may carry
   * `.meta({ title, description, help, widget, enumLabels, section, showWhen, options })`,
   * typed in config-form.ts: the control, an Advanced section, a condition on another field,
   * choices loaded on demand. Without a widget the form picks one from the type.
   */
  config: TSchema;
  /** Steps from version N to N+1, keyed by N. */
  migrate?: Readonly<Record<number, (config: unknown) => unknown>>;
  roles?: BlockRoles<z.output<TSchema>>;
  /** Workload blocks only: the target-neutral spec the compiler turns into manifests. */
  deploy?: DeployFromConfig<z.output<TSchema>>;
};

export type AnyBlockDefinition = BlockDefinition<string, z.ZodType>;

export function defineBlock<
  const TType extends string,
  TSchema extends z.ZodType,
  const TPart extends BlockPart = BlockPart,
  const TInputs extends readonly PortSpec[] = readonly PortSpec[],
  const TOutputs extends readonly PortSpec[] = readonly PortSpec[],
>(definition: BlockDefinition<TType, TSchema, TPart, TInputs, TOutputs>): BlockDefinition<TType, TSchema, TPart, TInputs, TOutputs> {
  return definition;
}

export type ConfigParseResult<T> =
  | { ok: true; config: T }
  | { ok: false; issues: { path: string; message: string }[] };

export type ConfigMigrateResult = ConfigMigration;

/**
 * A stored config brought up to the block's current version by its `migrate` steps, not yet
 * validated (the config form shows and edits this shape). A newer version, or a missing
 * step, comes back as a message. The steps run in the graph layer (migrateBlockConfig), the
 * same code that upgrades whole graphs.
 */
export function migrateConfig(block: AnyBlockDefinition, version: number, raw: unknown): ConfigMigrateResult {
  return migrateBlockConfig(block, version, raw);
}

/**
 * Brings a stored config up to the block's current version and validates it. Missing
 * migration steps and invalid values come back as issues, never as exceptions.
 */
export function parseBlockConfig<TSchema extends z.ZodType>(
  block: BlockDefinition<string, TSchema>,
  version: number,
  raw: unknown,
): ConfigParseResult<z.output<TSchema>> {
  const migrated = migrateConfig(block, version, raw);
  if (!migrated.ok) return { ok: false, issues: [{ path: "", message: migrated.message }] };
  const parsed = block.config.safeParse(migrated.config);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  };
}

/** The default config of a block, as a new node on the canvas gets it. */
export function defaultConfig<TSchema extends z.ZodType>(block: BlockDefinition<string, TSchema>): z.output<TSchema> {
  return block.config.parse({});
}

/**
 * The ports of a block for a given stored config. A config that does not parse falls back to
 * the defaults, so a half-edited node keeps its static ports.
 */
export function blockPorts(block: AnyBlockDefinition, version: number, raw: unknown): NodePorts {
  const parsed = parseBlockConfig(block, version, raw);
  const config = parsed.ok ? parsed.config : defaultConfig(block);
  const resolve = (list: PortList<unknown>) => (typeof list === "function" ? list(config) : list);
  return { inputs: resolve(block.inputs), outputs: resolve(block.outputs) };
}
