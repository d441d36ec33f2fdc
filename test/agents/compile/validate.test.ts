import { describe, expect, it } from "vitest";
import { blockRegistry } from "#agents/blocks/index";
import { describeDiagnostic } from "#agents/graph/diagnostics";
import { validateGraph } from "#agents/compile/validate";
import { nodeNamer } from "#agents/graph/index";
import type { GraphDoc, GraphEdge, GraphNode } from "#agents/graph/index";

const node = (id: string, type: string, config: unknown = {}, version = 1): GraphNode => ({
  id,
  type,
  version,
  config,
  ui: { x: 0, y: 0 },
});
const edge = (id: string, from: string, fromPort: string, to: string, toPort: string): GraphEdge => ({
  id,
  from: { node: from, port: fromPort },
  to: { node: to, port: toPort },
});
const graph = (nodes: GraphNode[], edges: GraphEdge[] = []): GraphDoc => ({ schemaVersion: 1, nodes, edges });

/** The smallest working agent: input → prompt → model → output. */
function chatAgent(): GraphDoc {
  return graph(
    [
      node("in", "io.chat-input"),
      node("prompt", "prompt.template"),
      node("model", "model.openai"),
      node("out", "io.chat-output"),
    ],
    [
      edge("e1", "in", "message", "prompt", "input"),
      edge("e2", "prompt", "prompt", "model", "prompt"),
      edge("e3", "model", "text", "out", "message"),
    ],
  );
}

const codes = (g: GraphDoc) => validateGraph(g).map((d) => `${d.code}@${d.node ?? "-"}`);

describe("validateGraph", () => {
  it("accepts a correctly wired agent", () => {
    expect(validateGraph(chatAgent())).toEqual([]);
  });

  it("reports an unknown block once, on its node (E101)", () => {
    const g = chatAgent();
    g.nodes.push(node("x", "does.not-exist"));
    g.edges.push(edge("e4", "x", "out", "out", "message"));
    const found = validateGraph(g).filter((d) => d.code === "E101");
    expect(found).toHaveLength(1);
    expect(found[0]?.node).toBe("x");
  });

  it("reports an edge to a missing port (E105) with the node and port", () => {
    const g = chatAgent();
    (g.edges[2] as GraphEdge).to.port = "nope";
    const d = validateGraph(g).find((x) => x.code === "E105");
    expect(d).toMatchObject({ node: "out", port: "nope", edge: "e3" });
  });

  it("reports a port type mismatch on the target input (E106)", () => {
    const g = chatAgent();
    // chat-model output into a text input
    (g.edges[2] as GraphEdge).from.port = "model";
    expect(validateGraph(g).find((x) => x.code === "E106")).toMatchObject({ node: "out", port: "message", edge: "e3" });
  });

  it("reports two edges into a single-valued input once (E107)", () => {
    const g = chatAgent();
    g.nodes.push(node("in2", "io.chat-input"));
    g.edges.push(edge("e4", "in2", "message", "out", "message"));
    expect(validateGraph(g).filter((x) => x.code === "E107")).toHaveLength(1);
  });

  it("reports a self-loop (E108)", () => {
    const g = graph([node("p", "prompt.template", { template: "{a}" })], [edge("e", "p", "prompt", "p", "a")]);
    expect(codes(g)).toContain("E108@p");
  });

  it("reports every node on a cycle (E109)", () => {
    const g = graph(
      [node("a", "prompt.template", { template: "{x}" }), node("b", "prompt.template", { template: "{y}" })],
      [edge("e1", "a", "prompt", "b", "y"), edge("e2", "b", "prompt", "a", "x")],
    );
    expect(codes(g).filter((c) => c.startsWith("E109"))).toEqual(["E109@a", "E109@b"]);
  });

  it("names the blocks of a loop by their labels, never by their ids (E109)", () => {
    const a = { ...node("n_a1b2c3", "prompt.template", { template: "{x}" }), ui: { x: 0, y: 0, label: "Draft" } };
    const b = { ...node("n_d4e5f6", "prompt.template", { template: "{y}" }), ui: { x: 0, y: 0, label: "Review" } };
    const g = graph([a, b], [edge("e1", a.id, "prompt", b.id, "y"), edge("e2", b.id, "prompt", a.id, "x")]);
    const messages = validateGraph(g).map((d) => d.message);
    expect(messages).toContain("This block is on a loop (Draft → Review); only loop blocks may feed back.");
    expect(messages.join(" ")).not.toMatch(/n_[a-z0-9]{6}/);
  });

  it("lets a cycle policy allow loops through a loop block", () => {
    const g = graph(
      [node("a", "prompt.template", { template: "{x}" }), node("b", "prompt.template", { template: "{y}" })],
      [edge("e1", "a", "prompt", "b", "y"), edge("e2", "b", "prompt", "a", "x")],
    );
    expect(validateGraph(g, { allowsCycles: (n) => n.id === "a" })).toEqual([]);
  });

  it("reports invalid config with the field path (E201)", () => {
    const g = chatAgent();
    (g.nodes[2] as GraphNode).config = { temperature: 5 };
    const d = validateGraph(g).find((x) => x.code === "E201");
    expect(d?.node).toBe("model");
    expect(d?.message).toMatch(/^temperature: /);
  });

  it("reports a required input that is not connected (E202)", () => {
    const g = chatAgent();
    g.edges = g.edges.filter((e) => e.id !== "e3");
    expect(validateGraph(g).find((x) => x.code === "E202")).toMatchObject({ node: "out", port: "message" });
  });

  it("reports a block saved by a newer version (E203)", () => {
    const g = chatAgent();
    (g.nodes[0] as GraphNode).version = 99;
    expect(codes(g)).toContain("E203@in");
  });

  it("lists the same graph's diagnostics in the same order every time", () => {
    const g = chatAgent();
    g.edges = [];
    expect(validateGraph(g)).toEqual(validateGraph(structuredClone(g)));
  });
});

describe("validateGraph on edge problems", () => {
  it("names the existing end of an edge whose other end is missing (E104) or whose id repeats (E103)", () => {
    const g = graph(
      [node("out", "io.chat-output"), node("in", "io.chat-input")],
      [edge("e1", "ghost", "message", "out", "message"), edge("e2", "in", "message", "out", "message"), edge("e2", "in", "message", "out", "message")],
    );
    const found = validateGraph(g);
    expect(found.find((d) => d.code === "E104")).toMatchObject({ node: "out", edge: "e1" });
    expect(found.find((d) => d.code === "E103")).toMatchObject({ node: "out", edge: "e2" });
  });
});

describe("describeDiagnostic", () => {
  it("names the block by its label (else its title) and puts the code last, with no ids", () => {
    const g = chatAgent();
    g.edges.splice(1, 1); // the model's prompt is optional; the output's message is required
    g.edges.pop();
    (g.nodes[3] as GraphNode).ui.label = "Reply";
    const nameOf = nodeNamer(g, blockRegistry);
    const lines = validateGraph(g).map((d) => describeDiagnostic(d, nameOf));
    expect(lines).toEqual(['Chat Output "Reply": The input "Message" needs a connection. (E202)']);

    (g.nodes[3] as GraphNode).ui.label = undefined;
    expect(validateGraph(g).map((d) => describeDiagnostic(d, nodeNamer(g, blockRegistry)))).toEqual(['Chat Output: The input "Message" needs a connection. (E202)']);
  });
});
