/**
 * Import speed: a generated 300-node Flowise chatflow (50 tool agents, each with its chat
 * model, memory, three tools and a placeholder-bound vector store) from its text to a
 * Skyloom graph and report: parse, checks, mapping, edges, completion.
 * Goal (issue 14): ≤ 200 ms (median).
 */
import { importFlowise } from "#agents/import/index";
import { formatStats, summarize } from "./support/stats";

type Node = { id: string; position: { x: number; y: number }; type: string; data: Record<string, unknown> };

function node(id: string, name: string, category: string, x: number, y: number, inputs: Record<string, unknown>): Node {
  return { id, position: { x, y }, type: "customNode", data: { id, name, label: name, category, inputs, baseClasses: [name], outputAnchors: [], inputAnchors: [] } };
}

function generateFlowise(agents: number): string {
  const nodes: Node[] = [];
  const edges: Record<string, string>[] = [];
  const wire = (source: string, target: string, input: string) =>
    edges.push({ source, target, sourceHandle: `${source}-output-x-Any`, targetHandle: `${target}-input-${input}-Any`, type: "buttonedge", id: `${source}-${target}` });
  for (let i = 0; i < agents; i++) {
    const x = (i % 10) * 2_000;
    const y = Math.floor(i / 10) * 1_500;
    nodes.push(
      node(`chatOpenAI_${i}`, "chatOpenAI", "Chat Models", x, y, { modelName: "gpt-4o-mini", temperature: "0.3", openAIApiKey: "sk-bench" }),
      node(`bufferMemory_${i}`, "bufferMemory", "Memory", x, y + 500, {}),
      node(`calculator_${i}`, "calculator", "Tools", x + 400, y, {}),
      node(`requestsGet_${i}`, "requestsGet", "Tools", x + 400, y + 400, { url: "https://api.example.com/items/{id}", description: "Gets an item." }),
      node(`customTool_${i}`, "customTool", "Tools", x + 400, y + 800, { customToolName: `tool_${i}`, customToolDesc: "Does a thing.", customToolFunc: "return $input.toUpperCase();".repeat(20) }),
      node(`toolAgent_${i}`, "toolAgent", "Agents", x + 1_000, y + 400, { systemMessage: "You are agent number " + i + ". ".repeat(100), maxIterations: "5" }),
    );
    for (const [from, input] of [["chatOpenAI", "model"], ["bufferMemory", "memory"], ["calculator", "tools"], ["requestsGet", "tools"], ["customTool", "tools"]] as const) {
      wire(`${from}_${i}`, `toolAgent_${i}`, input);
    }
  }
  return JSON.stringify({ nodes, edges });
}

const text = generateFlowise(50);
const check = importFlowise(text, "bench.json");
console.log(
  `${check.report.counts.sourceNodes} Flowise nodes (${(text.length / 1024).toFixed(0)} KiB) → ${check.graph.nodes.length} blocks, ${check.graph.edges.length} edges, ${check.report.entries.length} report entries`,
);
for (let i = 0; i < 5; i++) importFlowise(text, "bench.json"); // warm up the JIT
const samples: number[] = [];
for (let i = 0; i < 30; i++) {
  const start = performance.now();
  importFlowise(text, "bench.json");
  samples.push(performance.now() - start);
}
console.log(formatStats("import a 300-node Flowise chatflow", "ms", samples));
const median = summarize(samples).median;
console.log(`goal ≤ 200 ms: ${median <= 200 ? "met" : "NOT met"}`);
