import { parseBlockConfig, blockPorts, type AnyBlockDefinition } from "../blocks/define-block";
import type { BlockRegistry } from "../blocks/registry";
import { describeErrors, type Diagnostic } from "../graph/diagnostics";
import { validateGraph } from "../compile/validate";
import type { PortDataType } from "../graph/data-types";
import type { GraphDoc, GraphEdge, GraphNode } from "../graph/doc";
import { nodeName, nodeNamer } from "../graph/names";
import type { NodePorts } from "../graph/ports";
import { BlockRunError } from "./context";

/** The blocks a run knows: the registry the validator checks the graph against. */
export type BlockLookup = BlockRegistry;

export type PlannedNode = {
  node: GraphNode;
  block: AnyBlockDefinition;
  config: unknown;
  ports: NodePorts;
  /** Edges into this node whose source is part of the run. */
  inbound: GraphEdge[];
};

export type RunPlan = {
  /** The nodes that run: every ancestor of a Chat Output (or of a dangling end node). */
  nodes: Map<string, PlannedNode>;
  /** Nodes whose text goes straight into a Chat Output: their tokens are the answer. */
  streamsToOutput: Set<string>;
};

export class PlanError extends BlockRunError {
  constructor(
    message: string,
    readonly nodeId?: string,
  ) {
    super(message);
    this.name = "PlanError";
  }
}

/** The validator found errors in the graph: nothing runs. `errors` name the nodes to mark. */
export class GraphRejectedError extends PlanError {
  constructor(
    message: string,
    readonly errors: readonly Diagnostic[],
  ) {
    super(message, errors.find((d) => d.node !== undefined)?.node);
    this.name = "GraphRejectedError";
  }
}

/**
 * Checks the graph with the compiler's validator, then picks what runs: the ancestors of the
 * flow's Chat Outputs (so a stray block on the canvas costs nothing), with each config parsed
 * and migrated. Fails before anything runs when the validator reports an error anywhere in
 * the graph (a wire of the wrong type, an unconnected required input, a bad config), so a
 * graph that did not come through the canvas (an imported file, the API) runs by the same
 * rules the canvas shows.
 */
// Plans are pure functions of (graph, blocks); a caller that runs the same graph object again
// (the gateway serving a published agent, a chat) skips parsing every config each time.
const planCache = new WeakMap<GraphDoc, WeakMap<BlockLookup, RunPlan>>();

export function planRun(graph: GraphDoc, blocks: BlockLookup): RunPlan {
  let byBlocks = planCache.get(graph);
  const cached = byBlocks?.get(blocks);
  if (cached) return cached;
  const plan = buildPlan(graph, blocks);
  if (!byBlocks) planCache.set(graph, (byBlocks = new WeakMap()));
  byBlocks.set(blocks, plan);
  return plan;
}

function buildPlan(graph: GraphDoc, blocks: BlockLookup): RunPlan {
  const errors = validateGraph(graph, { registry: blocks }).filter((d) => d.severity === "error");
  if (errors.length > 0) throw new GraphRejectedError(describeErrors(errors, "running", nodeNamer(graph, blocks)), errors);

  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const inboundOf = new Map<string, GraphEdge[]>();
  const outboundOf = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) {
    if (!byId.has(edge.from.node) || !byId.has(edge.to.node)) continue;
    (inboundOf.get(edge.to.node) ?? inboundOf.set(edge.to.node, []).get(edge.to.node)!).push(edge);
    (outboundOf.get(edge.from.node) ?? outboundOf.set(edge.from.node, []).get(edge.from.node)!).push(edge);
  }

  const isChatOutput = (n: GraphNode) => blocks.get(n.type)?.roles?.chatOutput === true;
  let sinks = graph.nodes.filter(isChatOutput);
  if (sinks.length === 0) {
    sinks = graph.nodes.filter((n) => blocks.get(n.type)?.part === "agent" && !outboundOf.has(n.id));
  }
  if (sinks.length === 0) throw new PlanError("This flow has nothing to run: add a Chat Output block.");

  const needed = new Set<string>();
  const stack = sinks.map((n) => n.id);
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const edge of inboundOf.get(id) ?? []) stack.push(edge.from.node);
  }

  const nodes = new Map<string, PlannedNode>();
  for (const id of needed) {
    const node = byId.get(id) as GraphNode;
    const block = blocks.get(node.type);
    if (!block) throw new PlanError(`Unknown block type "${node.type}".`, node.id);
    const parsed = parseBlockConfig(block, node.version, node.config);
    if (!parsed.ok) {
      const issue = parsed.issues[0];
      const where = issue?.path ? `${issue.path}: ` : "";
      throw new PlanError(`${nodeName(node, block.title)} is not set up correctly (${where}${issue?.message ?? "invalid"}).`, node.id);
    }
    nodes.set(id, {
      node,
      block,
      config: parsed.config,
      ports: blockPorts(block, node.version, node.config),
      inbound: inboundOf.get(id) ?? [],
    });
  }
  assertAcyclic(nodes);

  const streamsToOutput = new Set<string>();
  for (const sink of sinks) {
    if (!isChatOutput(sink)) continue;
    for (const edge of inboundOf.get(sink.id) ?? []) streamsToOutput.add(edge.from.node);
  }
  return { nodes, streamsToOutput };
}

function assertAcyclic(nodes: Map<string, PlannedNode>): void {
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string): void => {
    const s = state.get(id);
    if (s === "done") return;
    if (s === "visiting") throw new PlanError("This flow has a loop; only loop blocks may feed back.", id);
    state.set(id, "visiting");
    for (const edge of nodes.get(id)?.inbound ?? []) visit(edge.from.node);
    state.set(id, "done");
  };
  for (const id of nodes.keys()) visit(id);
}

export function portType(ports: NodePorts, side: "inputs" | "outputs", id: string): PortDataType | undefined {
  return ports[side].find((p) => p.id === id)?.type;
}
