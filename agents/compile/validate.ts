import { blockRegistry } from "../blocks/index";
import { defaultConfig, type AnyBlockDefinition, type PortList } from "../blocks/define-block";
import type { BlockRegistry } from "../blocks/registry";
import { canConnect } from "../graph/can-connect";
import type { GraphDoc, GraphEdge, GraphNode } from "../graph/doc";
import { nodeLabel } from "../graph/names";
import { checkGraphIntegrity } from "../graph/integrity";
import type { CyclePolicy, NodePorts, PortResolver } from "../graph/ports";
import { diagnostic, type Diagnostic } from "../graph/diagnostics";
import { parseNodeConfigs, type ParsedNode } from "./parse-nodes";
import { collectWorkloads, type CollectedWorkload } from "./workloads";

export type ValidateOptions = {
  registry?: BlockRegistry;
  /** Loop blocks may sit on a cycle; no block allows it unless this says so. */
  allowsCycles?: CyclePolicy;
  /** The ids of the team's knowledge bases, where they are known (the canvas loads them). */
  knowledgeBaseIds?: ReadonlySet<string>;
};

export type GraphAnalysis = {
  diagnostics: Diagnostic[];
  /** Every node whose block is known, with its config parsed (or the parse issues). */
  nodes: ReadonlyMap<string, ParsedNode>;
  /** Workload nodes whose config is valid, with their specs, names and prices. */
  workloads: CollectedWorkload[];
};

/**
 * Everything wrong with a graph, as coded diagnostics that each name the node to mark red.
 * Pure and isomorphic: the canvas calls it in the browser on every change, the compiler and
 * the CLI before planning. Runs in time linear in the graph's size (the compile budget is
 * 50 ms for 1,000 nodes), so each node's config is parsed once and ports are memoised.
 */
export function validateGraph(graph: GraphDoc, options: ValidateOptions = {}): Diagnostic[] {
  return analyzeGraph(graph, options).diagnostics;
}

/** validateGraph plus the parsed configs, which `plan` reuses instead of parsing again. */
export function analyzeGraph(graph: GraphDoc, options: ValidateOptions = {}): GraphAnalysis {
  const registry = options.registry ?? blockRegistry;
  const parsed = parseNodeConfigs(graph, registry);
  const resolvePorts = memoisedPorts(parsed.nodes);

  const diagnostics: Diagnostic[] = [...checkGraphIntegrity(graph, resolvePorts), ...parsed.diagnostics];
  // Edges that integrity already rejected (missing node or port) are not checked again.
  const brokenEdges = new Set(diagnostics.filter((d) => d.edge !== undefined).map((d) => d.edge));
  diagnostics.push(...checkEdges(graph, resolvePorts, brokenEdges));
  diagnostics.push(...checkRequiredInputs(graph, resolvePorts));
  diagnostics.push(...checkCycles(graph, registry, brokenEdges, options.allowsCycles));
  diagnostics.push(...checkKnowledgeBases(parsed.nodes, options.knowledgeBaseIds));
  const collected = collectWorkloads(graph, parsed.nodes);
  diagnostics.push(...collected.diagnostics);
  return { diagnostics: sortDiagnostics(nameNodes(graph, diagnostics)), nodes: parsed.nodes, workloads: collected.workloads };
}

/**
 * Every diagnostic names a node the canvas can mark: one about an edge (a duplicate id, a
 * missing end) names the edge's existing target, else its existing source.
 */
function nameNodes(graph: GraphDoc, list: Diagnostic[]): Diagnostic[] {
  if (!list.some((d) => d.node === undefined && d.edge !== undefined)) return list;
  const nodeIds = new Set(graph.nodes.map((n) => n.id));
  const edges = new Map(graph.edges.map((e) => [e.id, e]));
  return list.map((d) => {
    if (d.node !== undefined || d.edge === undefined) return d;
    const edge = edges.get(d.edge);
    const node = edge && (nodeIds.has(edge.to.node) ? edge.to.node : nodeIds.has(edge.from.node) ? edge.from.node : undefined);
    return node ? { ...d, node } : d;
  });
}

/** Errors first, then by code and node, so the same graph always lists the same way. */
function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => `${d.severity === "error" ? 0 : 1}|${d.code}|${d.node ?? ""}|${d.edge ?? ""}|${d.port ?? ""}|${d.message}`;
  return list
    .map((d) => ({ d, k: key(d) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map(({ d }) => d);
}

/** Ports per node from the already-parsed config (same rule as blockPorts: bad config → defaults). */
function memoisedPorts(nodes: ReadonlyMap<string, ParsedNode>): PortResolver {
  const cache = new Map<GraphNode, NodePorts | undefined>();
  // Most blocks have static ports: one shared object per block instead of one per node.
  const staticPorts = new Map<AnyBlockDefinition, NodePorts>();
  const defaults = new Map<AnyBlockDefinition, unknown>();
  return (node) => {
    if (cache.has(node)) return cache.get(node);
    const entry = nodes.get(node.id);
    let ports: NodePorts | undefined;
    if (entry && entry.node === node) {
      const block = entry.block;
      if (typeof block.inputs !== "function" && typeof block.outputs !== "function") {
        ports = staticPorts.get(block);
        if (!ports) {
          ports = { inputs: block.inputs, outputs: block.outputs };
          staticPorts.set(block, ports);
        }
      } else {
        let config = entry.config;
        if (!entry.ok) {
          if (!defaults.has(block)) defaults.set(block, defaultConfig(block));
          config = defaults.get(block);
        }
        const resolve = (list: PortList<unknown>) => (typeof list === "function" ? list(config) : list);
        ports = { inputs: resolve(block.inputs), outputs: resolve(block.outputs) };
      }
    }
    cache.set(node, ports);
    return ports;
  };
}

/**
 * Runs canConnect for every edge. Each call sees only the two nodes and the other edges into
 * the same target node, which is all its type, port and fan-in rules look at; cycles are
 * found once for the whole graph in checkCycles, which keeps this linear.
 */
function checkEdges(graph: GraphDoc, resolvePorts: PortResolver, skip: ReadonlySet<string | undefined>): Diagnostic[] {
  const nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
  const intoNode = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) {
    const list = intoNode.get(edge.to.node);
    if (list) list.push(edge);
    else intoNode.set(edge.to.node, [edge]);
  }
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const edge of graph.edges) {
    if (skip.has(edge.id)) continue;
    const source = nodeById.get(edge.from.node);
    const target = nodeById.get(edge.to.node);
    if (!source || !target) continue;
    const local: GraphDoc = {
      schemaVersion: 1,
      nodes: source === target ? [source] : [source, target],
      edges: intoNode.get(target.id) ?? [],
    };
    const check = canConnect(local, edge, { resolvePorts, ignoreEdgeId: edge.id });
    if (check.ok) continue;
    // An unknown block is already reported once by the integrity check.
    if (check.diagnostic.code === "E101") continue;
    const d = { ...check.diagnostic, edge: edge.id };
    // Two edges into one single-valued input report each other; say it once per input.
    const dedupe = d.code === "E107" || d.code === "E110" ? `${d.code}|${d.node}|${d.port}` : `${d.code}|${edge.id}`;
    if (reported.has(dedupe)) continue;
    reported.add(dedupe);
    out.push(d);
  }
  return out;
}

function checkRequiredInputs(graph: GraphDoc, resolvePorts: PortResolver): Diagnostic[] {
  const connected = new Set(graph.edges.map((e) => `${e.to.node}\u0000${e.to.port}`));
  const out: Diagnostic[] = [];
  for (const node of graph.nodes) {
    const ports = resolvePorts(node);
    if (!ports) continue;
    for (const input of ports.inputs) {
      if (input.required && !connected.has(`${node.id}\u0000${input.id}`)) {
        out.push(
          diagnostic("E202", `The input "${input.label}" needs a connection.`, { node: node.id, port: input.id }),
        );
      }
    }
  }
  return out;
}

/**
 * Finds every cycle with Tarjan's strongly connected components (iterative, linear). Each
 * node on a cycle is reported once, unless a loop block on that cycle allows feeding back.
 */
function checkCycles(graph: GraphDoc, registry: BlockRegistry, skip: ReadonlySet<string | undefined>, allowsCycles?: CyclePolicy): Diagnostic[] {
  const ids = graph.nodes.map((n) => n.id);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const next: number[][] = ids.map(() => []);
  for (const e of graph.edges) {
    if (skip.has(e.id)) continue;
    const a = indexOf.get(e.from.node);
    const b = indexOf.get(e.to.node);
    if (a === undefined || b === undefined) continue;
    // A self-loop is reported as E108 by canConnect.
    if (a !== b) next[a]?.push(b);
  }

  const index = new Int32Array(ids.length).fill(-1);
  const low = new Int32Array(ids.length);
  const onStack = new Uint8Array(ids.length);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < ids.length; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1] as [number, number];
      const [v, i] = frame;
      const edges = next[v] as number[];
      if (i < edges.length) {
        frame[1] = i + 1;
        const w = edges[i] as number;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v] as number, index[w] as number);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]] as number, low[v] as number);
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        if (component.length > 1) components.push(component);
      }
    }
  }

  const out: Diagnostic[] = [];
  for (const component of components) {
    const members = component.map((i) => graph.nodes[i] as GraphNode);
    if (allowsCycles && members.some((n) => allowsCycles(n))) continue;
    members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const names = members.map((n) => nodeLabel(n, registry.get(n.type)?.title ?? n.type));
    for (const node of members) {
      out.push(
        diagnostic("E109", `This block is on a loop (${names.join(" → ")}); only loop blocks may feed back.`, { node: node.id }),
      );
    }
  }
  return out;
}

/**
 * Blocks that read a knowledge base: none chosen is an error everywhere (the run would fail
 * at once); one the team does not have (deleted, or a flow copied from another team) is an
 * error where the team's bases are known. Either marks the node, not only the run.
 */
function checkKnowledgeBases(nodes: ReadonlyMap<string, ParsedNode>, known: ReadonlySet<string> | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const entry of nodes.values()) {
    const role = entry.block.roles?.knowledgeBase;
    if (!role || !entry.ok) continue;
    const id = role.id(entry.config);
    if (id === "") out.push(diagnostic("E204", "Choose a knowledge base in this block's settings.", { node: entry.node.id }));
    else if (known && !known.has(id)) {
      out.push(diagnostic("E205", "The chosen knowledge base is not one of this team's (deleted, or the flow came from another team); choose another.", { node: entry.node.id }));
    }
  }
  return out;
}
