import { describe, expect, it } from "vitest";
import { emptyGraph, type GraphDoc, type GraphNode } from "#agents/graph/index";
import { computeLayout } from "#app/components/canvas/auto-layout";
import { estimateBlockSize } from "#app/components/canvas/node-geometry";
import { tooClose } from "#app/components/canvas/placement";
import { addEdge, addNodes, createNode, newEdge } from "#app/lib/graph-store/edits";

/** Chat Input, Chat Model, Memory and Calculator into an Agent, the Agent into Chat Output. */
function agentFlow(): { graph: GraphDoc; ids: Record<string, string> } {
  const make = (type: string) => createNode(type, { x: 0, y: 0 });
  const nodes = {
    input: make("io.chat-input"),
    model: make("model.openai"),
    memory: make("memory.conversation"),
    tool: make("tool.calculator"),
    agent: make("agent.tools"),
    output: make("io.chat-output"),
  };
  let g = addNodes(Object.values(nodes))(emptyGraph());
  const wire = (from: GraphNode, fromPort: string, to: GraphNode, toPort: string) => {
    g = addEdge(newEdge({ node: from.id, port: fromPort }, { node: to.id, port: toPort }, g))(g);
  };
  wire(nodes.input, "message", nodes.agent, "prompt");
  wire(nodes.model, "model", nodes.agent, "model");
  wire(nodes.memory, "memory", nodes.agent, "memory");
  wire(nodes.tool, "tool", nodes.agent, "tools");
  wire(nodes.agent, "text", nodes.output, "message");
  return { graph: g, ids: Object.fromEntries(Object.entries(nodes).map(([k, n]) => [k, n.id])) };
}

describe("computeLayout", () => {
  it("lays blocks out at their real sizes: none overlaps or comes close enough to cover a port", async () => {
    const { graph } = agentFlow();
    // Some blocks are taller than drawn (problems listed under the ports), as React Flow would measure them.
    const sizeOf = (n: GraphNode) => {
      const size = estimateBlockSize(n);
      return n.type === "model.openai" ? { ...size, height: size.height + 90 } : size;
    };
    const positions = await computeLayout(graph, sizeOf);
    const rects = graph.nodes.map((n) => ({ ...positions.get(n.id)!, ...sizeOf(n) }));
    for (let i = 0; i < rects.length; i++)
      for (let j = i + 1; j < rects.length; j++) expect(tooClose(rects[i]!, rects[j]!, 12), `${graph.nodes[i]!.type} / ${graph.nodes[j]!.type}`).toBe(false);
  });

  it("orders blocks along the wires, left to right", async () => {
    const { graph, ids } = agentFlow();
    const positions = await computeLayout(graph, estimateBlockSize);
    const x = (key: string) => positions.get(ids[key]!)!.x;
    expect(x("input")).toBeLessThan(x("agent"));
    expect(x("model")).toBeLessThan(x("agent"));
    expect(x("agent")).toBeLessThan(x("output"));
  });

  it("lays out a wire to a port the block no longer has, instead of failing", async () => {
    const { graph } = agentFlow();
    const stale = { ...graph, edges: [...graph.edges, { id: "stale", from: { node: graph.nodes[0]!.id, port: "gone" }, to: { node: graph.nodes[5]!.id, port: "gone" } }] };
    const positions = await computeLayout(stale, estimateBlockSize);
    expect(positions.size).toBe(6);
  });
});
