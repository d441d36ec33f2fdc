import { diagnostic, type Diagnostic } from "./diagnostics";
import { canFlowInto, DATA_TYPE_LABELS } from "./data-types";
import type { GraphDoc, GraphEdge, PortRef } from "./doc";
import type { CyclePolicy, PortResolver } from "./ports";

export type Connection = { from: PortRef; to: PortRef };
export type ConnectionCheck = { ok: true } | { ok: false; diagnostic: Diagnostic };

export type CanConnectOptions = {
  resolvePorts: PortResolver;
  allowsCycles?: CyclePolicy;
  /** An edge being re-checked in place (validate) is not counted against itself. */
  ignoreEdgeId?: string;
};

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "An" : "A";
}

/**
 * Decides whether an edge is legal: both ends exist, types are compatible, a single-valued
 * input has room, no self-loop and no cycle unless a loop block allows it. The canvas calls
 * this while the user drags; the compiler calls it for every saved edge.
 */
export function canConnect(
  graph: GraphDoc,
  connection: Connection,
  options: CanConnectOptions,
): ConnectionCheck {
  const fail = (d: Diagnostic): ConnectionCheck => ({ ok: false, diagnostic: d });
  const { from, to } = connection;
  const source = graph.nodes.find((n) => n.id === from.node);
  const target = graph.nodes.find((n) => n.id === to.node);
  if (!source) return fail(diagnostic("E104", `There is no node "${from.node}" to connect from.`));
  if (!target) return fail(diagnostic("E104", `There is no node "${to.node}" to connect to.`));
  if (source.id === target.id) {
    return fail(diagnostic("E108", "A block cannot be connected to itself.", { node: target.id }));
  }

  const sourcePorts = options.resolvePorts(source);
  const targetPorts = options.resolvePorts(target);
  if (!sourcePorts) {
    return fail(diagnostic("E101", `Unknown block type "${source.type}".`, { node: source.id }));
  }
  if (!targetPorts) {
    return fail(diagnostic("E101", `Unknown block type "${target.type}".`, { node: target.id }));
  }
  const out = sourcePorts.outputs.find((p) => p.id === from.port);
  const input = targetPorts.inputs.find((p) => p.id === to.port);
  if (!out) {
    return fail(
      diagnostic("E105", `This block has no output "${from.port}".`, { node: source.id, port: from.port }),
    );
  }
  if (!input) {
    return fail(
      diagnostic("E105", `This block has no input "${to.port}".`, { node: target.id, port: to.port }),
    );
  }

  if (!canFlowInto(out.type, input.type)) {
    const want = DATA_TYPE_LABELS[input.type];
    return fail(
      diagnostic("E106", `${article(want)} ${want} port cannot take ${DATA_TYPE_LABELS[out.type]}.`, {
        node: target.id,
        port: input.id,
      }),
    );
  }

  const others = graph.edges.filter((e) => e.id !== options.ignoreEdgeId);
  if (others.some((e) => sameEnds(e, connection))) {
    return fail(diagnostic("E110", "These ports are already connected.", { node: target.id, port: input.id }));
  }
  if (!input.multiple && others.some((e) => e.to.node === to.node && e.to.port === to.port)) {
    return fail(
      diagnostic("E107", `The input "${input.label}" already has a connection; remove it first.`, {
        node: target.id,
        port: input.id,
      }),
    );
  }

  const loopAllowed = options.allowsCycles?.(source) || options.allowsCycles?.(target);
  if (!loopAllowed && reaches(others, to.node, from.node)) {
    return fail(
      diagnostic("E109", "This connection would make a loop; only loop blocks may feed back.", {
        node: target.id,
        port: input.id,
      }),
    );
  }
  return { ok: true };
}

function sameEnds(edge: GraphEdge, c: Connection): boolean {
  return (
    edge.from.node === c.from.node &&
    edge.from.port === c.from.port &&
    edge.to.node === c.to.node &&
    edge.to.port === c.to.port
  );
}

/** Whether `goal` can be reached from `start` following edges forward. */
function reaches(edges: readonly GraphEdge[], start: string, goal: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const list = next.get(e.from.node);
    if (list) list.push(e.to.node);
    else next.set(e.from.node, [e.to.node]);
  }
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === goal) return true;
    for (const n of next.get(id) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return false;
}
