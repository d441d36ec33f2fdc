import { blockRegistry, parseBlockConfig } from "../blocks/index";
import { canConnect } from "../graph/can-connect";
import type { GraphDoc, GraphEdge, GraphNode } from "../graph/doc";
import type { NodePorts, PortSpec } from "../graph/ports";
import { own } from "./common";
import type { ImportEntry, ImportEntryCode, ImportFormat, ImportResult, SourceRef } from "./report";
import { BLOCK } from "./blocks";

export type Point = { x: number; y: number };

/**
 * How a source node appears in the built graph: edges into it land on `entry`, edges out of
 * it leave from `exit`. `inputs` and `outputs` translate the source's own port names (a
 * Flowise input "model", a Langflow field "input_value", a Dify branch "true") to ours; the
 * key "*" stands for any other name. Unlisted names are matched by type.
 */
export type Mapping = {
  ref: SourceRef;
  entry: string;
  exit: string;
  inputs?: Readonly<Record<string, string>>;
  outputs?: Readonly<Record<string, string>>;
  /** Extra nodes an edge into this source node may also land on (Dify prompts with variables). */
  alsoInto?: readonly string[];
};

/** A connection of the source file, in its own ids and port names. */
export type SourceEdge = { id?: string; source: string; target: string; sourceHint?: string; targetHint?: string };

const ANSWER_TYPES = new Set<string>([BLOCK.agent, BLOCK.chatModel, BLOCK.structuredOutput]);
const ID_CHARS = /[^A-Za-z0-9_-]+/g;

/**
 * Builds a Skyloom graph from another builder's nodes, one decision at a time, and writes
 * the report as it goes. Every block config is checked against the block's schema, and every
 * edge against canConnect, so what comes out validates (or the report says why not).
 */
export class ImportBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly edges: GraphEdge[] = [];
  private readonly entries: ImportEntry[] = [];
  private readonly ids = new Set<string>();
  private readonly ports = new Map<string, NodePorts>();
  private readonly mappings = new Map<string, Mapping>();
  private readonly dropped = new Set<string>();
  private counts = { mapped: 0, placeholders: 0, secretsStripped: 0, edgesImported: 0, edgesDropped: 0 };

  constructor(
    private readonly format: ImportFormat,
    private readonly name: string,
    private readonly scale: number,
  ) {}

  /** A node id from a source id: readable, unique, at most 64 characters. */
  private newNodeId(base: string): string {
    const clean = base.replace(ID_CHARS, "_").slice(0, 56) || "node";
    let id = clean;
    for (let n = 2; this.ids.has(id); n++) id = `${clean}_${n}`;
    this.ids.add(id);
    return id;
  }

  at(point: Point | undefined, dx = 0, dy = 0): Point {
    const x = Number.isFinite(point?.x) ? (point as Point).x : 0;
    const y = Number.isFinite(point?.y) ? (point as Point).y : 0;
    return { x: x * this.scale + dx, y: y * this.scale + dy };
  }

  /**
   * Adds a block. A setting the block refuses is left at its default and reported (I406), so
   * one odd value never costs the whole node.
   */
  addBlock(type: string, config: Record<string, unknown>, position: Point, options: { idBase: string; label?: string; source?: SourceRef }): string {
    const block = blockRegistry.get(type);
    if (!block) throw new Error(`Importer bug: no block "${type}".`);
    let current: Record<string, unknown> = { ...config };
    for (let attempt = 0; attempt < 5; attempt++) {
      const parsed = parseBlockConfig(block, block.version, current);
      if (parsed.ok) break;
      const fields = new Set(parsed.issues.map((i) => i.path.split(".")[0] ?? ""));
      for (const issue of parsed.issues) {
        this.entry("I406", "warning", options.source, `${block.title} setting "${issue.path || "config"}" was not imported (${issue.message}); the default is used.`);
      }
      if (fields.has("")) current = {};
      for (const f of fields) delete current[f];
    }
    const id = this.newNodeId(options.idBase);
    const label = options.label?.trim().slice(0, 200);
    this.nodes.push({ id, type, version: block.version, config: current, ui: { x: Math.round(position.x), y: Math.round(position.y), ...(label ? { label } : {}) } });
    return id;
  }

  /** Adds a note (a placeholder, or a note the source file had). */
  addNote(text: string, position: Point, idBase: string, label: string): string {
    const clipped = text.length > 20_000 ? `${text.slice(0, 19_900)}\n… (cut: the note was ${text.length} characters)` : text;
    return this.addBlock(BLOCK.note, { text: clipped }, position, { idBase, label });
  }

  /** Records what a source node became and counts it as mapped. */
  mapped(mapping: Mapping, message: string, extraNodes: readonly string[] = []): void {
    this.mappings.set(mapping.ref.id, mapping);
    this.counts.mapped++;
    const nodes = [...new Set([mapping.entry, mapping.exit, ...extraNodes])];
    this.entry("I401", "info", mapping.ref, message, nodes);
  }

  /**
   * A source node with no Skyloom equivalent: a clearly marked note in its place saying what it
   * was and why it was not imported. Edges to or from it are reported, not drawn.
   */
  placeholder(ref: SourceRef, position: Point, reason: string, details: readonly string[] = []): string {
    const name = ref.label || ref.type;
    const text = [`Not imported: ${name} (${ref.type}, id ${ref.id}).`, reason, ...details].join("\n\n");
    const id = this.addNote(text, position, ref.id, `Not imported: ${name}`);
    this.dropped.add(ref.id);
    this.counts.placeholders++;
    this.entry("I402", "warning", ref, `Placeholder note: ${reason}`, [id]);
    return id;
  }

  secret(ref: SourceRef | undefined, field: string): void {
    this.counts.secretsStripped++;
    this.entry("I403", "warning", ref, `The secret "${field}" was not imported; choose a saved credential in Skyloom instead.`);
  }

  entry(code: ImportEntryCode, severity: ImportEntry["severity"], source: SourceRef | undefined, message: string, nodes?: string[]): void {
    this.entries.push({ code, severity, ...(source ? { source } : {}), ...(nodes && nodes.length > 0 ? { nodes } : {}), message });
  }

  mappingOf(sourceId: string): Mapping | undefined {
    return this.mappings.get(sourceId);
  }

  nodeById(id: string): GraphNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  portsOf(nodeId: string): NodePorts {
    const cached = this.ports.get(nodeId);
    if (cached) return cached;
    const node = this.nodeById(nodeId);
    const ports = (node && blockRegistry.resolvePorts(node)) ?? { inputs: [], outputs: [] };
    this.ports.set(nodeId, ports);
    return ports;
  }

  private isConnected(nodeId: string, port: string): boolean {
    return this.edges.some((e) => e.to.node === nodeId && e.to.port === port);
  }

  /**
   * Connects two built nodes. A port left out is chosen: the first input (unconnected ones
   * first) and output whose types canConnect accepts. Returns whether an edge was drawn.
   */
  connect(fromNode: string, toNode: string, fromPort?: string, toPort?: string): boolean {
    const from = this.portsOf(fromNode);
    const to = this.portsOf(toNode);
    const outputs = fromPort ? from.outputs.filter((p) => p.id === fromPort) : from.outputs;
    const inputs = toPort ? to.inputs.filter((p) => p.id === toPort) : orderInputs(to.inputs, (p) => this.isConnected(toNode, p.id));
    const graph: GraphDoc = { schemaVersion: 1, nodes: this.nodes, edges: this.edges };
    for (const input of inputs) {
      for (const output of outputs) {
        const connection = { from: { node: fromNode, port: output.id }, to: { node: toNode, port: input.id } };
        if (canConnect(graph, connection, { resolvePorts: (n) => this.portsOf(n.id) }).ok) {
          this.edges.push({ id: `e${this.edges.length + 1}`, ...connection });
          return true;
        }
      }
    }
    return false;
  }

  /** Draws one connection of the source file, or reports why it was not drawn. */
  connectSource(edge: SourceEdge): void {
    const what = `The connection from "${edge.source}" to "${edge.target}"`;
    if (this.dropped.has(edge.source) || this.dropped.has(edge.target)) {
      this.counts.edgesDropped++;
      this.entry("I405", "warning", undefined, `${what} was not imported: one end is a placeholder note.`);
      return;
    }
    const from = this.mappings.get(edge.source);
    const to = this.mappings.get(edge.target);
    if (!from || !to) {
      this.counts.edgesDropped++;
      this.entry("I407", "warning", undefined, `${what} was not imported: "${!from ? edge.source : edge.target}" is not a node in the file.`);
      return;
    }
    if (from.exit === to.entry) return; // a node folded into another (a chain into its model)
    // "*" names the port for any source name the mapping does not list.
    const fromPort = own(from.outputs, edge.sourceHint) ?? own(from.outputs, "*");
    const toPort = own(to.inputs, edge.targetHint) ?? own(to.inputs, "*");
    const targets = [to.entry, ...(to.alsoInto ?? [])];
    let drawn = false;
    for (const target of targets) {
      const hinted = edge.targetHint !== undefined && this.portsOf(target).inputs.some((p) => p.id === edge.targetHint) ? edge.targetHint : undefined;
      drawn = this.connect(from.exit, target, fromPort, toPort ?? hinted) || drawn;
    }
    if (drawn) this.counts.edgesImported++;
    else {
      this.counts.edgesDropped++;
      const port = edge.targetHint ? ` input "${edge.targetHint}"` : "";
      this.entry("I405", "warning", to.ref, `${what}${port} was not imported: Skyloom's blocks cannot be connected that way (the types do not match, or the input is taken).`);
    }
  }

  /**
   * Makes the flow runnable as a chat: required text inputs nobody feeds take the chat
   * message, an agent without a model gets the default Chat Model, and blocks whose answer
   * goes nowhere are shown in the chat (a Chat Output each). Each addition is reported (I408).
   */
  complete(): void {
    let chatInput = this.nodes.find((n) => n.type === BLOCK.chatInput)?.id;
    const origin = this.bounds();
    const input = () => {
      if (chatInput) return chatInput;
      chatInput = this.addBlock(BLOCK.chatInput, {}, this.freeSpot({ x: origin.minX - 320, y: origin.minY }), { idBase: "chat_input" });
      this.entry("I408", "info", undefined, "A Chat Input was added: the file has none, and the flow needs the person's message.", [chatInput]);
      return chatInput;
    };
    for (const node of [...this.nodes]) {
      if (node.type === BLOCK.agent && !this.isConnected(node.id, "model")) {
        const model = this.addBlock(BLOCK.chatModel, {}, this.freeSpot({ x: node.ui.x - 280, y: node.ui.y + 180 }), { idBase: `${node.id}_model` });
        this.connect(model, node.id, "model", "model");
        this.entry("I408", "info", undefined, `The agent "${node.ui.label ?? node.id}" had no model; Skyloom's default Chat Model was added.`, [model]);
      }
    }
    for (const node of [...this.nodes]) {
      if (node.type === BLOCK.chatOutput) continue;
      for (const port of this.portsOf(node.id).inputs) {
        if (!port.required || port.type !== "text" || this.isConnected(node.id, port.id)) continue;
        if (this.connect(input(), node.id, "message", port.id)) {
          this.entry("I408", "info", undefined, `The input "${port.label}" of "${node.ui.label ?? node.id}" had no connection; it now takes the chat message.`, [node.id]);
        }
      }
    }
    for (const node of this.nodes.filter((n) => this.answersNowhere(n))) {
      if (node.type === BLOCK.chatModel && !this.isConnected(node.id, "prompt")) this.connect(input(), node.id, "message", "prompt");
      const output = this.addBlock(BLOCK.chatOutput, {}, this.freeSpot({ x: node.ui.x + 320, y: node.ui.y }), { idBase: `${node.id}_output` });
      this.connect(node.id, output, "text", "message");
      this.entry("I408", "info", undefined, `A Chat Output was added: "${node.ui.label ?? node.id}" answers the chat.`, [output]);
    }
  }

  /** The point nearest below `p` where a block does not cover another (for blocks the import adds). */
  private freeSpot(p: Point): Point {
    const spot = { ...p };
    const taken = (q: Point) => this.nodes.some((n) => Math.abs(n.ui.x - q.x) < 260 && Math.abs(n.ui.y - q.y) < 180);
    for (let i = 0; i < 200 && taken(spot); i++) spot.y += 200;
    return spot;
  }

  /**
   * An agent or model whose answer goes nowhere. A Chat Model that only serves an agent (its
   * Model output wired, no prompt) is not one.
   */
  private answersNowhere(node: GraphNode): boolean {
    if (!ANSWER_TYPES.has(node.type)) return false;
    const out = this.edges.filter((e) => e.from.node === node.id);
    if (node.type !== BLOCK.chatModel) return out.length === 0;
    return !out.some((e) => e.from.port === "text") && (out.length === 0 || this.isConnected(node.id, "prompt"));
  }

  private bounds() {
    const xs = this.nodes.map((n) => n.ui.x);
    const ys = this.nodes.map((n) => n.ui.y);
    return { minX: xs.length ? Math.min(...xs) : 0, minY: ys.length ? Math.min(...ys) : 0 };
  }

  finish(sourceNodes: number, sourceEdges: number): ImportResult {
    // Moved so the top-left node sits near the canvas origin, whatever the source's offsets.
    const { minX, minY } = this.bounds();
    const nodes = this.nodes.map((n) => ({ ...n, ui: { ...n.ui, x: n.ui.x - minX + 40, y: n.ui.y - minY + 40 } }));
    const graph: GraphDoc = { schemaVersion: 1, nodes, edges: this.edges };
    return {
      name: this.name,
      graph,
      report: { format: this.format, name: this.name, counts: { sourceNodes, sourceEdges, ...this.counts }, entries: this.entries },
    };
  }
}

/** Unconnected inputs first (a second tool goes beside the first only on a multiple input). */
function orderInputs(inputs: readonly PortSpec[], connected: (p: PortSpec) => boolean): PortSpec[] {
  return [...inputs.filter((p) => !connected(p) || p.multiple), ...inputs.filter((p) => connected(p) && !p.multiple)];
}
