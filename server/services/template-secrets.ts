import { z } from "zod";
import { blockRegistry, type AnyBlockDefinition } from "#agents/blocks/index";
import { looksLikeSecretName } from "#agents/blocks/workload-config";
import { presetForUrl, PROVIDER_PRESETS } from "#agents/catalog/providers";
import { findModel } from "#agents/catalog/models";
import { validateGraph } from "#agents/compile/validate";
import type { Diagnostic } from "#agents/graph/diagnostics";
import { nodeName, type GraphDoc, type GraphNode } from "#agents/graph/index";
import type { TemplateNeedRow } from "#db/schema";

/**
 * What a template may not carry, and what it asks for instead. Pure functions over a graph:
 * a template is shared with other people (and, public, with other teams), so every reference
 * to the team's credentials and knowledge bases and every secret typed in plain text is taken
 * out before it is stored; `templateNeeds` says what the user must supply when using it.
 */

export type TemplateNeed = TemplateNeedRow;

/** The fields of a block that point at the team's own things, found by their config-form widget. */
type TeamFields = { credential: string[]; knowledgeBase: string[] };

const teamFieldsCache = new Map<string, TeamFields>();

export function teamFieldsOf(block: AnyBlockDefinition): TeamFields {
  const cached = teamFieldsCache.get(block.type);
  if (cached) return cached;
  const schema = z.toJSONSchema(block.config, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, { widget?: string }> };
  const entries = Object.entries(schema.properties ?? {});
  const fields = {
    credential: entries.filter(([, p]) => p.widget === "secret").map(([k]) => k),
    knowledgeBase: entries.filter(([, p]) => p.widget === "knowledge-base").map(([k]) => k),
  };
  teamFieldsCache.set(block.type, fields);
  return fields;
}

/** Header names that carry credentials whatever they are called (Authorization, X-Api-Key …). */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|(token|secret|password|api-?key|auth)/i;
/** URL query parameters that carry keys (?api_key=…, &token=…). */
const SECRET_QUERY = /([?&][^=&#]*(?:key|token|secret|password|passwd|signature|auth)[^=&#]*=)[^&#]*/gi;

export type StrippedField = { node: string; field: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One node's config without team references and secrets; `stripped` names what went. */
function stripConfig(node: GraphNode, stripped: StrippedField[]): GraphNode {
  const block = blockRegistry.get(node.type);
  if (!block || !isRecord(node.config)) return node;
  const config: Record<string, unknown> = { ...node.config };
  const drop = (field: string, value: unknown) => {
    config[field] = value;
    stripped.push({ node: node.id, field });
  };
  const fields = teamFieldsOf(block);
  for (const field of fields.credential) if (config[field] !== null && config[field] !== undefined) drop(field, null);
  for (const field of fields.knowledgeBase) if (typeof config[field] === "string" && config[field] !== "") drop(field, "");
  if (isRecord(config.env)) {
    // Credential references and plain secrets both go; the variable's name stays as a hint.
    const env: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(config.env)) {
      const secret = isRecord(value) || (typeof value === "string" && value !== "" && looksLikeSecretName(name));
      if (secret) stripped.push({ node: node.id, field: `env.${name}` });
      env[name] = secret ? "" : value;
    }
    config.env = env;
  }
  if (isRecord(config.headers)) {
    const headers: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(config.headers)) {
      const secret = SECRET_HEADER.test(name) && value !== "";
      if (secret) stripped.push({ node: node.id, field: `headers.${name}` });
      headers[name] = secret ? "" : value;
    }
    config.headers = headers;
  }
  for (const field of ["url", "baseUrl"]) {
    const value = config[field];
    if (typeof value !== "string") continue;
    const clean = value.replace(SECRET_QUERY, "$1");
    if (clean !== value) drop(field, clean);
  }
  return { ...node, config };
}

/**
 * The graph as a template may hold it: no credential ids, no knowledge-base ids, no secret
 * environment values, auth headers or keys in URLs. Everything else (prompts, models, tools,
 * layout) is kept as it was.
 */
export function stripTemplateSecrets(graph: GraphDoc): { graph: GraphDoc; stripped: StrippedField[] } {
  const stripped: StrippedField[] = [];
  const nodes = graph.nodes.map((node) => stripConfig(node, stripped));
  return { graph: { ...graph, nodes }, stripped };
}

/** A chat model's provider, by its base URL: a preset id ("openai", "groq" …), "custom" for another URL. */
function providerOf(config: Record<string, unknown>): string {
  const baseUrl = typeof config.baseUrl === "string" ? config.baseUrl : "";
  return presetForUrl(baseUrl)?.id ?? "openai";
}

/**
 * What a template asks of a team, read from the graph as it was before stripping: a key for each
 * chat model that had a credential (by provider), a credential for other blocks that had one, a
 * knowledge base for each retriever, and the models its endpoints deploy. Node ids are the
 * template's; needs of one kind and provider are merged.
 */
export function templateNeeds(graph: GraphDoc): TemplateNeed[] {
  const needs = new Map<string, TemplateNeed>();
  const add = (key: string, need: Omit<TemplateNeed, "nodeIds">, nodeId: string) => {
    const existing = needs.get(key);
    if (existing) existing.nodeIds.push(nodeId);
    else needs.set(key, { ...need, nodeIds: [nodeId] });
  };
  for (const node of graph.nodes) {
    const block = blockRegistry.get(node.type);
    if (!block) continue;
    const config = isRecord(node.config) ? node.config : {};
    const name = nodeName(node, block.title);
    const fields = teamFieldsOf(block);
    const hadCredential = fields.credential.some((f) => typeof config[f] === "string" && config[f] !== "");
    const isChatModel = blockRegistry.resolvePorts(node)?.outputs.some((p) => p.type === "chat-model") ?? false;
    if (hadCredential && isChatModel && !blockRegistry.hasRole(node.type, "modelEndpoint")) {
      const provider = providerOf(config);
      add(`chat:${provider}`, { kind: "chat-model-credential", label: `An API key for ${providerTitle(provider)}`, provider }, node.id);
    } else if (hadCredential) {
      add(`credential:${node.id}`, { kind: "credential", label: `A credential for ${name}` }, node.id);
    }
    if (fields.knowledgeBase.length > 0) add(`kb:${node.id}`, { kind: "knowledge-base", label: `A knowledge base for ${name}` }, node.id);
    if (blockRegistry.hasRole(node.type, "modelEndpoint")) {
      const model = typeof config.model === "string" ? findModel(config.model) : undefined;
      add(`deploy:${node.id}`, { kind: "deployed-model", label: `Deploys ${model?.title ?? name} on rented GPUs` }, node.id);
    }
  }
  return [...needs.values()];
}

function providerTitle(provider: string): string {
  if (provider === "custom") return "an OpenAI-compatible server";
  return PROVIDER_PRESETS.find((p) => p.id === provider)?.title ?? provider;
}

/**
 * Diagnostics a template may carry because what they ask for is one of its needs, bound when
 * the template is used (E204: the knowledge base, stripped as team data). Anything else that
 * fails validation is a broken template.
 */
const DIAGNOSTICS_A_NEED_ANSWERS: ReadonlySet<string> = new Set(["E204"]);

/** The validation errors that stop a graph from being a template or a flow made from one. */
export function templateValidationErrors(graph: GraphDoc): Diagnostic[] {
  return validateGraph(graph).filter((d) => d.severity === "error" && !DIAGNOSTICS_A_NEED_ANSWERS.has(d.code));
}
