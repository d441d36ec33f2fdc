import { diagnostic, type Diagnostic } from "./diagnostics";
import type { GraphDoc } from "./doc";
import type { PortResolver } from "./ports";

/**
 * The checks a graph must pass to be stored at all: every block type is known, ids are
 * unique, and every edge points at real nodes and ports. Wiring problems that a user fixes on
 * the canvas (type mismatches, missing inputs, bad config) are left to `validate`, so a
 * half-built flow can still be saved.
 */
export function checkGraphIntegrity(graph: GraphDoc, resolvePorts: PortResolver): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const nodes = new Map<string, ReturnType<PortResolver>>();
  for (const node of graph.nodes) {
    if (nodes.has(node.id)) {
      problems.push(diagnostic("E102", `Two nodes share the id "${node.id}".`, { node: node.id }));
      continue;
    }
    const ports = resolvePorts(node);
    if (!ports) {
      problems.push(diagnostic("E101", `Unknown block type "${node.type}".`, { node: node.id }));
    }
    nodes.set(node.id, ports);
  }

  const edgeIds = new Set<string>();
  for (const edge of graph.edges) {
    if (edgeIds.has(edge.id)) {
      problems.push(diagnostic("E103", `Two edges share the id "${edge.id}".`, { edge: edge.id }));
    }
    edgeIds.add(edge.id);
    for (const [end, ref] of [["from", edge.from], ["to", edge.to]] as const) {
      if (!nodes.has(ref.node)) {
        problems.push(
          diagnostic("E104", `Edge "${edge.id}" ${end === "from" ? "starts at" : "ends at"} a missing node "${ref.node}".`, {
            edge: edge.id,
          }),
        );
        continue;
      }
      const ports = nodes.get(ref.node);
      if (!ports) continue; // already reported as an unknown block
      const list = end === "from" ? ports.outputs : ports.inputs;
      if (!list.some((p) => p.id === ref.port)) {
        problems.push(
          diagnostic("E105", `Node "${ref.node}" has no ${end === "from" ? "output" : "input"} "${ref.port}".`, {
            node: ref.node,
            edge: edge.id,
            port: ref.port,
          }),
        );
      }
    }
  }
  return problems;
}
