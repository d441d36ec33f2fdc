import { z } from "zod";
import { GRAPH_SCHEMA_VERSION, type GraphDoc } from "./doc";
import { isOverByteLimit, parseUntrustedJson, UnsafeJsonError } from "./safe-json";
import { GraphFormatError, upgradeGraph, type BlockLookup, type GraphChange, type GraphUpgradeProblem } from "./upgrade";

/**
 * The flow file (`*.flow.json`): `{ name, graph }`, what the editor exports and imports, the
 * CLI compiles and the server imports. One reader for all of them: bounded, safe JSON, any
 * graph format this build knows, every node upgraded to its block's current version.
 */
export type FlowFile = { name: string; graph: GraphDoc };

const FLOW_NAME_MAX = 120;

const FlowFileEnvelopeSchema = z.object({
  name: z
    .string({ error: "The file has no flow name" })
    .trim()
    .min(1, "The file has no flow name")
    .max(FLOW_NAME_MAX, `The flow name is longer than ${FLOW_NAME_MAX} characters`),
  graph: z.unknown().refine((graph) => graph !== undefined, "The file has no graph"),
});

/** A read flow file, with what the upgrade changed and the nodes it could not upgrade. */
export type FlowFileRead =
  | { ok: true; file: FlowFile; changes: GraphChange[]; problems: GraphUpgradeProblem[] }
  | { ok: false; message: string; details: string[] };

const MAX_DETAILS = 8;

const NOT_A_FLOW_FILE = `This is not a Skyloom flow file: it needs a name and a graph (schemaVersion ${GRAPH_SCHEMA_VERSION}, nodes, edges).`;

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}

function refusal(message: string, details: readonly string[] = []): { ok: false; message: string; details: string[] } {
  return { ok: false, message, details: details.slice(0, MAX_DETAILS) };
}

/** JSON text within the limits and safe to keep, or a refusal saying what to fix. */
function readJson(text: string, subject: string): { ok: true; value: unknown } | { ok: false; error: UnsafeJsonError } {
  try {
    return { ok: true, value: parseUntrustedJson(text, subject) };
  } catch (error) {
    if (!(error instanceof UnsafeJsonError)) throw error;
    return { ok: false, error };
  }
}

/** Upgrades the graph part of a file; details of a format fault name paths under `root`. */
function readGraph(raw: unknown, blocks: BlockLookup, root: string) {
  try {
    return { ok: true as const, ...upgradeGraph(raw, blocks) };
  } catch (error) {
    if (!(error instanceof GraphFormatError)) throw error;
    return { ok: false as const, error, details: error.details(root) };
  }
}

/**
 * Reads a flow file's text: at most GRAPH_LIMITS.maxBytes, JSON nested at most
 * GRAPH_LIMITS.maxDepth deep, no `__proto__`/`constructor` keys, a name, a graph of a known
 * format; then upgrades the graph (see upgradeGraph). Nodes of unknown block types are kept
 * and listed in `problems`; whether they are acceptable is the caller's rule (the editor
 * refuses them, `skyloom validate` reports them).
 */
export function parseFlowFile(text: string, blocks: BlockLookup): FlowFileRead {
  const json = readJson(text, "This file");
  if (!json.ok) {
    const { kind, message, details } = json.error;
    return refusal(kind === "not-json" ? "This file is not valid JSON, so it is not a Skyloom flow file." : message, details);
  }
  const envelope = FlowFileEnvelopeSchema.safeParse(json.value);
  if (!envelope.success) return refusal(NOT_A_FLOW_FILE, envelope.error.issues.map(describeIssue));
  const graph = readGraph(envelope.data.graph, blocks, "graph");
  if (!graph.ok) return refusal(graph.error.kind === "newer-format" ? graph.error.message : NOT_A_FLOW_FILE, graph.details);
  return { ok: true, file: { name: envelope.data.name, graph: graph.graph }, changes: graph.changes, problems: graph.problems };
}

const NOT_BLOCKS = "The clipboard does not hold Skyloom blocks.";

export type FragmentRead =
  | { ok: true; fragment: GraphDoc; changes: GraphChange[]; problems: GraphUpgradeProblem[] }
  | { ok: false; message: string; details: string[] };

/**
 * Reads pasted text as a fragment: a graph, or a whole flow file (`{ name, graph }`), with the
 * same limits and upgrade as parseFlowFile. Edges to nodes outside the fragment are dropped,
 * since they have nothing to attach to.
 */
export function parseFragment(text: string, blocks: BlockLookup): FragmentRead {
  const json = readJson(text, "The pasted text");
  if (!json.ok) {
    // Any text can land on the clipboard; only refusals of JSON that looked like blocks need details.
    const { kind, message, details } = json.error;
    return kind === "not-json" ? refusal(NOT_BLOCKS) : refusal(message, details);
  }
  const value = json.value;
  const raw = value !== null && typeof value === "object" && "graph" in value ? (value as { graph: unknown }).graph : value;
  const graph = readGraph(raw, blocks, "");
  if (!graph.ok) return refusal(NOT_BLOCKS, graph.details);
  const ids = new Set(graph.graph.nodes.map((n) => n.id));
  const edges = graph.graph.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node));
  const fragment = edges.length === graph.graph.edges.length ? graph.graph : { ...graph.graph, edges };
  return { ok: true, fragment, changes: graph.changes, problems: graph.problems };
}

/**
 * A flow file's text: indented for people to read and diff, or on one line when indenting
 * would take it over GRAPH_LIMITS.maxBytes, so every flow the server stores exports to a
 * file that imports again.
 */
export function serializeFlowFile(file: FlowFile): string {
  const content = { name: file.name, graph: file.graph };
  const pretty = `${JSON.stringify(content, null, 2)}\n`;
  return isOverByteLimit(pretty) ? `${JSON.stringify(content)}\n` : pretty;
}

/** A file name for a download: the flow's name, made safe, ending in .flow.json. */
export function flowFileName(name: string): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `${safe || "flow"}.flow.json`;
}
