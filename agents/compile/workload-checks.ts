import type { GraphDoc } from "../graph/doc";
import type { Diagnostic } from "./diagnostics";
import type { ParsedNode } from "./parse-nodes";

/** Workload rules (E3xx): filled in with the workload blocks and the catalogs. */
export function checkWorkloads(_graph: GraphDoc, _nodes: ReadonlyMap<string, ParsedNode>): Diagnostic[] {
  return [];
}
