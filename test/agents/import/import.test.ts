import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateGraph } from "#agents/compile/validate";
import { checkGraphIntegrity, GraphDocSchema } from "#agents/graph/index";
import { blockRegistry } from "#agents/blocks/index";
import { detectFormat, importDify, importFlowFile, importFlowise, importLangflow } from "#agents/import/index";
import { fixtures, FIXTURE_SECRETS } from "./support";

/**
 * Each fixture imports to its golden report (regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run test/agents/import` and review the diff), and to a graph
 * that is storable and validates with no errors.
 */
const UPDATE = process.env.UPDATE_GOLDEN === "1";

describe.each(fixtures().map((f) => [f.name, f] as const))("importing %s", (_name, fixture) => {
  const result = importFlowFile(fixture.text, fixture.path.split("/").pop());

  it("gives its golden report", () => {
    const produced = `${JSON.stringify(result.report, null, 2)}\n`;
    if (UPDATE) writeFileSync(fixture.reportPath, produced);
    expect(existsSync(fixture.reportPath), `missing ${fixture.reportPath}: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(produced).toBe(readFileSync(fixture.reportPath, "utf8"));
  });

  it("builds a storable graph that validates without errors", () => {
    expect(GraphDocSchema.safeParse(result.graph).success).toBe(true);
    expect(checkGraphIntegrity(result.graph, blockRegistry.resolvePorts)).toEqual([]);
    expect(validateGraph(result.graph).filter((d) => d.severity === "error")).toEqual([]);
  });

  it("carries no secret from the file", () => {
    expect(JSON.stringify(result.graph)).not.toMatch(FIXTURE_SECRETS);
    expect(JSON.stringify(result.report)).not.toMatch(FIXTURE_SECRETS);
  });

  it("accounts for every source node in the report", () => {
    const { counts, entries } = result.report;
    const placeholders = entries.filter((e) => e.code === "I402");
    const mapped = entries.filter((e) => e.code === "I401");
    expect(placeholders).toHaveLength(counts.placeholders);
    expect(mapped).toHaveLength(counts.mapped);
    // Dify chat apps describe the whole app in one settings block, counted as one node.
    expect(counts.mapped + counts.placeholders).toBe(counts.sourceNodes);
    for (const entry of [...mapped, ...placeholders]) for (const id of entry.nodes ?? []) expect(result.graph.nodes.map((n) => n.id)).toContain(id);
    expect(entries.filter((e) => e.code === "I403")).toHaveLength(counts.secretsStripped);
  });

  it("marks each placeholder clearly on the canvas", () => {
    for (const entry of result.report.entries.filter((e) => e.code === "I402")) {
      const note = result.graph.nodes.find((n) => n.id === entry.nodes?.[0]);
      expect(note?.type).toBe("canvas.note");
      expect(note?.ui.label).toMatch(/^Not imported: /);
      expect((note?.config as { text: string }).text).toMatch(/^Not imported: /);
    }
  });
});

describe("what the importers map", () => {
  const byName = new Map(fixtures().map((f) => [f.name, importFlowFile(f.text, f.path.split("/").pop())]));
  const all = [...byName.values()];
  const types = new Set(all.flatMap((r) => r.graph.nodes.map((n) => n.type)));

  it("covers every agent block between them, and a note", () => {
    for (const type of ["io.chat-input", "io.chat-output", "prompt.template", "model.openai", "agent.tools", "memory.conversation", "tool.calculator", "tool.http", "tool.code", "logic.router", "output.structured", "canvas.note"]) {
      expect(types, type).toContain(type);
    }
  });

  it("raises every per-node import code", () => {
    const codes = new Set(all.flatMap((r) => r.report.entries.map((e) => e.code)));
    expect([...codes].sort()).toEqual(["I401", "I402", "I403", "I404", "I405", "I406", "I407", "I408"]);
  });

  it("keeps custom tool code as a comment that is never run", () => {
    const tools = all.flatMap((r) => r.graph.nodes.filter((n) => n.type === "tool.code"));
    expect(tools.length).toBeGreaterThanOrEqual(2);
    for (const tool of tools) {
      const code = (tool.config as { code: string }).code;
      expect(code.startsWith("/* Imported from")).toBe(true);
      expect(code.trimEnd().split("\n").at(-1)).toMatch(/^throw new Error\(/);
      // The original text is inside the one comment: no "*/" of its own can end it early.
      expect(code.indexOf("*/")).toBe(code.lastIndexOf("*/"));
    }
  });

  it("keeps the model settings and drops the key", () => {
    const model = byName.get("flowise/tool-agent.json")?.graph.nodes.find((n) => n.id === "chatOpenAI_0");
    expect(model?.config).toEqual({ model: "gpt-4o-mini", temperature: 0.2, maxTokens: 512 });
    const ollama = byName.get("flowise/llm-chain.json")?.graph.nodes.find((n) => n.id === "chatOllama_0");
    expect(ollama?.config).toMatchObject({ baseUrl: "http://localhost:11434/v1", model: "llama3.1", temperature: 0.9 });
  });

  it("scales source positions onto the canvas, keeping their order", () => {
    const r = byName.get("langflow/basic-prompting.json");
    const xs = ["ChatInput-jFwUm", "Prompt-2Xq9L", "OpenAIModel-k3PfE", "ChatOutput-9wQpM"].map((id) => r?.graph.nodes.find((n) => n.id === id)?.ui.x ?? NaN);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(xs[0]).toBe(40);
    expect((xs[3] as number) - (xs[0] as number)).toBe(Math.round(1350 * 0.8));
  });
});

describe("entry points", () => {
  const [tool, basic, dify] = ["flowise/tool-agent.json", "langflow/basic-prompting.json", "dify/agent-app.yml"].map((n) => fixtures().find((f) => f.name === n)!);

  it("one per source, and detectFormat", () => {
    expect(importFlowise(tool!.text).report.format).toBe("flowise");
    expect(importLangflow(basic!.text).report.format).toBe("langflow");
    expect(importDify(dify!.text).report.format).toBe("dify");
    expect(detectFormat(JSON.parse(basic!.text))).toBe("langflow");
    expect(detectFormat({ nodes: [{ type: "agentFlow", data: {} }] })).toBe("flowise-agentflow");
    expect(detectFormat([1, 2])).toBeUndefined();
  });

  it("imports a Skyloom flow file as it is, blanking plain-text secrets", () => {
    const graph = {
      schemaVersion: 1,
      nodes: [{ id: "job", type: "workload.job", version: 1, config: { image: "alpine:3.20", command: ["echo"], env: { API_TOKEN: "plain-SECRET", MODE: "fast" } }, ui: { x: 0, y: 0 } }],
      edges: [],
    };
    const result = importFlowFile(JSON.stringify({ name: "Mine", graph }), "mine.flow.json");
    expect(result.report.format).toBe("skyloom");
    expect(result.name).toBe("Mine");
    expect(result.graph.nodes[0]?.config).toMatchObject({ env: { API_TOKEN: "", MODE: "fast" } });
    expect(result.report.entries.map((e) => e.code)).toEqual(["I403"]);
  });

  it("names a flow after its file when the file has no name", () => {
    expect(importFlowise(tool!.text, "Support Bot Chatflow.json").name).toBe("Support Bot Chatflow");
  });
});
