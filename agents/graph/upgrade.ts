import { GRAPH_SCHEMA_VERSION, GraphDocSchema, type GraphDoc, type GraphNode } from "./doc";

/**
 * Bringing a graph written by an older Skyloom up to this one: first the graph format
 * (`schemaVersion`), one step at a time, then each node's config through its block's `migrate`
 * steps, from the version the node was saved with to the block's current version. The graph
 * layer knows no blocks (blocks sit above it), so the caller passes the lookup; the block
 * registry fits it as it is.
 */

/** What an upgrade needs to know of a block: its current version and its steps (N → N+1, keyed by N). */
export type BlockVersioning = {
  version: number;
  migrate?: Readonly<Record<number, (config: unknown) => unknown>>;
};

/** Finds a block by type; `blockRegistry` from agents/blocks is one. */
export type BlockLookup = { get(type: string): BlockVersioning | undefined };

/** One thing an upgrade changed. */
export type GraphChange =
  | { kind: "format"; from: number; to: number }
  | { kind: "block"; node: string; type: string; from: number; to: number };

/** A node the upgrade left as it was, and why. Reported, never thrown: the caller decides. */
export type GraphUpgradeProblem = {
  kind: "unknown-block" | "newer-block" | "migrate-failed";
  node: string;
  type: string;
  message: string;
};

export type GraphUpgrade = { graph: GraphDoc; changes: GraphChange[]; problems: GraphUpgradeProblem[] };

/** A field of a graph at fault: `path` like "nodes.0.id", empty for the whole value. */
export type GraphIssue = { path: string; message: string };

/** The value is not a graph any format step can read; `issues` name the fields at fault. */
export class GraphFormatError extends Error {
  override name = "GraphFormatError";
  constructor(
    /** "newer-format": written by a newer Skyloom; "not-a-graph": the value's shape is wrong. */
    readonly kind: "newer-format" | "not-a-graph",
    message: string,
    readonly issues: GraphIssue[] = [],
  ) {
    super(message);
  }

  /** The issues as `path: message` lines, paths under `root` (e.g. "graph" in a flow file). */
  details(root = ""): string[] {
    return this.issues.map((i) => {
      const path = [root, i.path].filter(Boolean).join(".");
      return path ? `${path}: ${i.message}` : i.message;
    });
  }
}

/**
 * Graph format steps, from format N to N+1, keyed by N. None yet: format 1 is the first. A step
 * takes the raw document of format N and returns the raw document of format N+1.
 */
const GRAPH_FORMAT_STEPS: Readonly<Record<number, (doc: Record<string, unknown>) => Record<string, unknown>>> = {};

export type ConfigMigration = { ok: true; config: unknown } | { ok: false; message: string };

/**
 * A stored config brought from `version` up to the block's current version through its migrate
 * steps (not validated: the block's schema does that). A newer version, a missing step or a
 * step that throws comes back as a message.
 */
export function migrateBlockConfig(block: BlockVersioning & { type: string }, version: number, raw: unknown): ConfigMigration {
  if (version > block.version) {
    return { ok: false, message: `This block was saved by a newer Skyloom (version ${version}; this one knows ${block.version}).` };
  }
  let config: unknown = raw ?? {};
  for (let v = version; v < block.version; v++) {
    const step = block.migrate?.[v];
    if (!step) return { ok: false, message: `No upgrade from version ${v} of ${block.type}.` };
    try {
      config = step(config);
    } catch (error) {
      return { ok: false, message: `Upgrading ${block.type} from version ${v} failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { ok: true, config };
}

export type NodeUpgrade = { node: GraphNode; change?: GraphChange; problem?: GraphUpgradeProblem };

/** One node at its block's current version; the same object when there was nothing to do. */
export function upgradeNode(node: GraphNode, blocks: BlockLookup): NodeUpgrade {
  const block = blocks.get(node.type);
  const problem = (kind: GraphUpgradeProblem["kind"], message: string): NodeUpgrade => ({
    node,
    problem: { kind, node: node.id, type: node.type, message },
  });
  if (!block) return problem("unknown-block", `Unknown block type "${node.type}".`);
  if (node.version === block.version) return { node };
  if (node.version > block.version) {
    return problem("newer-block", `Node "${node.id}" was saved by a newer Skyloom (${node.type} version ${node.version}; this one knows ${block.version}).`);
  }
  const migrated = migrateBlockConfig({ ...block, type: node.type }, node.version, node.config);
  if (!migrated.ok) return problem("migrate-failed", `Node "${node.id}": ${migrated.message}`);
  return {
    node: { ...node, version: block.version, config: migrated.config },
    change: { kind: "block", node: node.id, type: node.type, from: node.version, to: block.version },
  };
}

/** Runs the format steps from the document's schemaVersion up to GRAPH_SCHEMA_VERSION. */
function upgradeFormat(doc: unknown, changes: GraphChange[]): unknown {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return doc;
  const from = (doc as { schemaVersion?: unknown }).schemaVersion;
  if (typeof from !== "number" || !Number.isInteger(from) || from < 1) return doc; // the schema names the fault
  if (from > GRAPH_SCHEMA_VERSION) {
    throw new GraphFormatError(
      "newer-format",
      `This flow is graph format ${from}, written by a newer Skyloom; this one reads format ${GRAPH_SCHEMA_VERSION} and older. Update Skyloom to open it.`,
      [{ path: "schemaVersion", message: `${from} is newer than ${GRAPH_SCHEMA_VERSION}` }],
    );
  }
  let current = doc as Record<string, unknown>;
  for (let v = from; v < GRAPH_SCHEMA_VERSION; v++) {
    const step = GRAPH_FORMAT_STEPS[v];
    if (!step) throw new GraphFormatError("newer-format", `Graph format ${v} cannot be upgraded by this Skyloom.`);
    current = { ...step(current), schemaVersion: v + 1 };
  }
  if (from < GRAPH_SCHEMA_VERSION) changes.push({ kind: "format", from, to: GRAPH_SCHEMA_VERSION });
  return current;
}

/**
 * Reads a graph of any format this build knows and brings it and every node up to date.
 * Throws GraphFormatError when the value is no readable graph (details name each field at
 * fault, as `nodes.0.id: …`). Nodes of unknown types, of newer block versions or whose
 * migration failed stay as they were and are listed in `problems`. Untouched nodes are the
 * same objects, and a graph with nothing to upgrade comes back as parsed.
 */
export function upgradeGraph(doc: unknown, blocks: BlockLookup): GraphUpgrade {
  const changes: GraphChange[] = [];
  const parsed = GraphDocSchema.safeParse(upgradeFormat(doc, changes));
  if (!parsed.success) {
    throw new GraphFormatError(
      "not-a-graph",
      "This is not a Skyloom graph: it needs schemaVersion, nodes and edges.",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  }
  const upgraded = upgradeBlocks(parsed.data, blocks);
  return { ...upgraded, changes: [...changes, ...upgraded.changes] };
}

/**
 * The node part of upgradeGraph, for a graph already parsed at the current format: every node
 * at its block's current version. The same document when nothing changed.
 */
export function upgradeBlocks(graph: GraphDoc, blocks: BlockLookup): GraphUpgrade {
  const changes: GraphChange[] = [];
  const problems: GraphUpgradeProblem[] = [];
  const nodes = graph.nodes.map((node) => {
    const upgraded = upgradeNode(node, blocks);
    if (upgraded.change) changes.push(upgraded.change);
    if (upgraded.problem) problems.push(upgraded.problem);
    return upgraded.node;
  });
  return { graph: changes.length > 0 ? { ...graph, nodes } : graph, changes, problems };
}

/** A change in words, for a notice or the CLI: `Node "http": tool.http version 1 → 2`. */
export function describeChange(change: GraphChange): string {
  return change.kind === "format"
    ? `Graph format ${change.from} → ${change.to}`
    : `Node "${change.node}": ${change.type} version ${change.from} → ${change.to}`;
}
