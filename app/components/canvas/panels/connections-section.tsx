import { Unplug } from "lucide-react";
import { useMemo, useState } from "react";
import { blockRegistry } from "#agents/blocks/index";
import { canConnect, DATA_TYPE_LABELS, type GraphDoc, type GraphNode, type PortSpec } from "#agents/graph/index";
import { useEditor } from "../editor-context";
import { PORT_COLORS } from "../port-colors";

function nodeName(node: GraphNode): string {
  return node.ui.label || blockRegistry.get(node.type)?.title || node.type;
}

type Choice = { value: string; label: string };

/** Every port on other nodes that this port could legally connect to (the compiler's rule). */
function choicesFor(graph: GraphDoc, node: GraphNode, port: PortSpec, side: "in" | "out"): Choice[] {
  const out: Choice[] = [];
  for (const other of graph.nodes) {
    if (other.id === node.id) continue;
    const ports = blockRegistry.resolvePorts(other);
    if (!ports) continue;
    for (const p of side === "in" ? ports.outputs : ports.inputs) {
      const from = side === "in" ? { node: other.id, port: p.id } : { node: node.id, port: port.id };
      const to = side === "in" ? { node: node.id, port: port.id } : { node: other.id, port: p.id };
      if (canConnect(graph, { from, to }, { resolvePorts: blockRegistry.resolvePorts }).ok) {
        out.push({ value: `${other.id}\u0000${p.id}`, label: `${nodeName(other)} → ${p.label}` });
      }
    }
    if (out.length >= 200) break;
  }
  return out;
}

/**
 * Wiring without a mouse: each port lists its connections (with a disconnect button) and a
 * menu of every compatible port to connect to. Screen-reader and keyboard users build the
 * same graph as someone dragging wires.
 */
export function ConnectionsSection({ node, graph, disabled }: { node: GraphNode; graph: GraphDoc; disabled: boolean }) {
  const { commands } = useEditor();
  const ports = blockRegistry.resolvePorts(node) ?? { inputs: [], outputs: [] };
  const byId = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph.nodes]);

  const row = (port: PortSpec, side: "in" | "out") => {
    const edges = graph.edges.filter((e) => (side === "in" ? e.to.node === node.id && e.to.port === port.id : e.from.node === node.id && e.from.port === port.id));
    const label = `${side === "in" ? "Connect to input" : "Connect output"} ${port.label}`;
    return (
      <li key={`${side}-${port.id}`} className="rounded-md border border-slate-200 p-2">
        <div className="flex items-center gap-2 text-xs">
          <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: PORT_COLORS[port.type] }} aria-hidden />
          <span className="font-medium text-slate-800">{port.label}</span>
          <span className="text-slate-500">{DATA_TYPE_LABELS[port.type]}</span>
          {port.required && side === "in" && <span className="text-red-500">required</span>}
        </div>
        {edges.length > 0 && (
          <ul className="mt-1 space-y-0.5">
            {edges.map((e) => {
              const otherRef = side === "in" ? e.from : e.to;
              const other = byId.get(otherRef.node);
              const otherPort = other ? (side === "in" ? blockRegistry.resolvePorts(other)?.outputs : blockRegistry.resolvePorts(other)?.inputs)?.find((p) => p.id === otherRef.port) : undefined;
              const text = `${side === "in" ? "from" : "to"} ${other ? nodeName(other) : otherRef.node} · ${otherPort?.label ?? otherRef.port}`;
              return (
                <li key={e.id} className="flex items-center justify-between gap-2 text-xs text-slate-600">
                  <span className="truncate">{text}</span>
                  {!disabled && (
                    <button type="button" className="rounded p-0.5 text-slate-500 hover:bg-slate-100" aria-label={`Disconnect ${port.label} ${text}`} onClick={() => commands.deleteEdge(e.id)}>
                      <Unplug size={12} />
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {!disabled && (
          <ConnectSelect
            label={label}
            placeholder={side === "in" ? "Connect from…" : "Connect to…"}
            choices={() => choicesFor(graph, node, port, side)}
            onPick={(otherNode, otherPort) => {
              if (side === "in") commands.connect({ node: otherNode, port: otherPort }, { node: node.id, port: port.id });
              else commands.connect({ node: node.id, port: port.id }, { node: otherNode, port: otherPort });
            }}
          />
        )}
      </li>
    );
  };

  if (ports.inputs.length + ports.outputs.length === 0) return null;
  return (
    <section aria-label="Connections">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Connections</h3>
      <ul className="mt-2 space-y-1.5">
        {ports.inputs.map((p) => row(p, "in"))}
        {ports.outputs.map((p) => row(p, "out"))}
      </ul>
    </section>
  );
}

/**
 * A menu of compatible ports, worked out when the user opens it: checking every port of a
 * large flow on each render would slow the editor down for a list nobody is looking at.
 */
function ConnectSelect({
  label,
  placeholder,
  choices,
  onPick,
}: {
  label: string;
  placeholder: string;
  choices: () => Choice[];
  onPick(node: string, port: string): void;
}) {
  const [options, setOptions] = useState<Choice[] | null>(null);
  const load = () => setOptions(choices());
  return (
    <select
      aria-label={label}
      className="mt-1.5 block w-full rounded border border-slate-300 px-1.5 py-1 text-xs"
      value=""
      onFocus={load}
      onPointerDown={load}
      onBlur={() => setOptions(null)}
      onChange={(e) => {
        const [otherNode, otherPort] = e.target.value.split("\u0000");
        if (otherNode && otherPort) onPick(otherNode, otherPort);
      }}
    >
      <option value="">{options && options.length === 0 ? "Nothing compatible to connect" : placeholder}</option>
      {options?.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </select>
  );
}
