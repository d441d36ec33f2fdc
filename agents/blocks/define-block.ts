import type { z } from "zod";
import type { DeployResult } from "./workload-spec";
import type { NodePorts, PortSpec } from "../graph/ports";
import { migrateBlockConfig, type ConfigMigration } from "../graph/upgrade";

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
type PortsFromConfig<TConfig> = { ports(config: TConfig): readonly PortSpec[] }["ports"];
export type PortList<TConfig> = readonly PortSpec[] | PortsFromConfig<TConfig>;

/** A workload block's contribution to compilation (method syntax for the same bivariance). */
type DeployFromConfig<TConfig> = { deploy(config: TConfig): DeployResult }["deploy"];

/**
 * Everything the canvas, the compiler and the runtime need to know about a block, in one
 * place. Isomorphic: types and zod only, so the browser imports it too.
 */
export type BlockPart = "agent" | "workload" | "note";

export type BlockDefinition<
  TType extends string = string,
  TSchema extends z.ZodType = z.ZodType,
  // Kept literal so the runner registry can require a runner for every agent block at compile time.
  TPart extends BlockPart = BlockPart,
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
  inputs: PortList<z.output<TSchema>>;
  outputs: PortList<z.output<TSchema>>;
  /**
   * The config schema, with defaults; it drives the config form. Each field may carry
   * `.meta({ title, description, widget, enumLabels, help })`; without a widget the form picks one
   * from the type. `help` is a short explanation shown on hover beside the title, for words a
   * new user may not know. Widgets the canvas knows (app/components/canvas/config-form):
   *   "text" one line · "textarea" several lines · "prompt" a template, with `{variable}` hints
   *   "code" monospace text · "number" (bounds from min/max) · "toggle" a boolean
   *   "select" an enum (`enumLabels` maps values to shown names) · "secret" a saved credential's id
   *   "key-value" a string→string record · "env" environment variables, each plain text or a saved
   *   credential (kept out of manifests) · "list" strings, one per line · "json" any other value
   *   "provider-url" an OpenAI-compatible base URL picked from provider presets or typed
   *   "model" a model name, with a list from the provider's /models; `modelSource: { baseUrl,
   *   credential }` names the sibling fields holding the base URL and the credential id.
   *   "knowledge-base" one of the team's knowledge bases (the id is stored)
   */
  config: TSchema;
  /** Steps from version N to N+1, keyed by N. */
  migrate?: Readonly<Record<number, (config: unknown) => unknown>>;
  /** Workload blocks only: the target-neutral spec the compiler turns into manifests. */
  deploy?: DeployFromConfig<z.output<TSchema>>;
};

export type AnyBlockDefinition = BlockDefinition<string, z.ZodType>;

export function defineBlock<const TType extends string, TSchema extends z.ZodType, const TPart extends BlockPart = BlockPart>(
  definition: BlockDefinition<TType, TSchema, TPart>,
): BlockDefinition<TType, TSchema, TPart> {
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
