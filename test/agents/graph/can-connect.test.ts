import { describe, expect, test } from "vitest";
import { blockRegistry } from "#agents/blocks/index";
import { canConnect, checkGraphIntegrity, type GraphDoc, type GraphNode } from "#agents/graph/index";

const node = (id: string, type: string, config: unknown = {}): GraphNode => ({ id, type, version: 1, config, ui: { x: 0, y: 0 } });

function graph(): GraphDoc {
  return {
    schemaVersion: 1,
    nodes: [
      node("in", "io.chat-input"),
      node("prompt", "prompt.template", { template: "Q: {question} C: {context}" }),
      node("model", "model.openai"),
      node("out", "io.chat-output"),
    ],
    edges: [{ id: "e1", from: { node: "in", port: "message" }, to: { node: "prompt", port: "question" } }],
  };
}

const opts = { resolvePorts: blockRegistry.resolvePorts };

describe("canConnect", () => {
  test("accepts text into a prompt variable", () => {
    expect(canConnect(graph(), { from: { node: "in", port: "message" }, to: { node: "prompt", port: "context" } }, opts)).toEqual({ ok: true });
  });

  test("refuses a type mismatch with a reason a person understands", () => {
    const result = canConnect(graph(), { from: { node: "model", port: "model" }, to: { node: "out", port: "message" } }, opts);
    expect(result).toMatchObject({ ok: false, diagnostic: { code: "E106", node: "out", port: "message", message: "A text port cannot take chat model." } });
  });

  test("refuses a second edge into a single-valued input", () => {
    const result = canConnect(graph(), { from: { node: "model", port: "text" }, to: { node: "prompt", port: "question" } }, opts);
    expect(result).toMatchObject({ ok: false, diagnostic: { code: "E107" } });
  });

  test("refuses a self-loop and a cycle", () => {
    const g = graph();
    g.edges.push({ id: "e2", from: { node: "prompt", port: "prompt" }, to: { node: "model", port: "prompt" } });
    expect(canConnect(g, { from: { node: "model", port: "text" }, to: { node: "model", port: "system" } }, opts)).toMatchObject({
      ok: false,
      diagnostic: { code: "E108" },
    });
    expect(canConnect(g, { from: { node: "model", port: "text" }, to: { node: "prompt", port: "context" } }, opts)).toMatchObject({
      ok: false,
      diagnostic: { code: "E109" },
    });
    // A loop block would be allowed to close the same cycle.
    expect(
      canConnect(g, { from: { node: "model", port: "text" }, to: { node: "prompt", port: "context" } }, { ...opts, allowsCycles: (n) => n.id === "prompt" }),
    ).toEqual({ ok: true });
  });

  test("refuses missing nodes and ports, and duplicate edges", () => {
    expect(canConnect(graph(), { from: { node: "nope", port: "x" }, to: { node: "out", port: "message" } }, opts)).toMatchObject({ ok: false, diagnostic: { code: "E104" } });
    expect(canConnect(graph(), { from: { node: "in", port: "nope" }, to: { node: "out", port: "message" } }, opts)).toMatchObject({ ok: false, diagnostic: { code: "E105" } });
    expect(canConnect(graph(), { from: { node: "in", port: "message" }, to: { node: "prompt", port: "question" } }, opts)).toMatchObject({ ok: false, diagnostic: { code: "E110" } });
  });

  test("prompt variables become ports, in order, without repeats or escaped braces", () => {
    const ports = blockRegistry.resolvePorts(node("p", "prompt.template", { template: "{a} {b} {a} {{literal}} {c_1}" }));
    expect(ports?.inputs.map((p) => p.id)).toEqual(["a", "b", "c_1"]);
  });
});

describe("checkGraphIntegrity", () => {
  test("a well-formed graph has no problems", () => {
    expect(checkGraphIntegrity(graph(), blockRegistry.resolvePorts)).toEqual([]);
  });

  test("names unknown types, duplicate ids and dangling edges", () => {
    const g = graph();
    g.nodes.push(node("x", "model.nonexistent"), node("in", "io.chat-input"));
    g.edges.push(
      { id: "e1", from: { node: "in", port: "message" }, to: { node: "ghost", port: "message" } },
      { id: "e3", from: { node: "in", port: "message" }, to: { node: "out", port: "missing" } },
    );
    const codes = checkGraphIntegrity(g, blockRegistry.resolvePorts).map((d) => `${d.code}:${d.node ?? d.edge}`);
    expect(codes).toEqual(["E101:x", "E102:in", "E103:e1", "E104:e1", "E105:out"]);
  });
});
