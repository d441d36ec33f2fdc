import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileGraph, type CompileResult } from "#agents/compile/compile";
import { GraphDocSchema, type GraphDoc, type GraphNode } from "#agents/graph/index";

/** Every valid fixture flow plus variants that reach the rules the fixtures do not. */
const ROOT = join(process.cwd(), "test/fixtures/compile");

const node = (id: string, type: string, config: unknown): GraphNode => ({ id, type, version: 1, config, ui: { x: 0, y: 0 } });
const graph = (nodes: GraphNode[], edges: GraphDoc["edges"] = []): GraphDoc => ({ schemaVersion: 1, nodes, edges });

const VARIANTS: Record<string, GraphDoc> = {
  "fizz-endpoint": graph([node("m", "model.endpoint", { model: "Qwen/Qwen2.5-7B-Instruct", mode: "fizz", durationHours: 3 })]),
  "fizz-web-on-8080": graph([
    node("w", "workload.container", { name: "web", image: "nginx:1.27-alpine", mode: "fizz", ports: [{ port: 8080, public: true }] }),
  ]),
  "udp-and-raw-tcp": graph([
    node("g", "workload.container", {
      name: "game",
      image: "ghcr.io/x/game-server:2.0.1",
      ports: [
        { port: 7777, public: true, http: false, proto: "udp" },
        { port: 27015, public: true, http: false },
        { port: 8080, public: true, http: true },
        { port: 9090, public: true, http: true },
      ],
      memoryGi: 0.5,
    }),
  ]),
  "ollama-with-volume-and-replicas": graph([
    node("o", "workload.container", {
      name: "ollama",
      image: "ollama/ollama:0.5.7",
      env: { OLLAMA_HOST: "0.0.0.0:11434" },
      ports: [{ port: 11434, public: true }],
      cpu: 4,
      memoryGi: 16,
      gpu: "rtx4090",
      persistentVolume: { sizeGi: 120, mount: "/root/.ollama" },
      replicas: 2,
      durationHours: 24,
      region: "us-east, germany",
    }),
  ]),
  "embeddings-and-whisper": graph([
    node("e", "model.endpoint", { name: "embed", model: "BAAI/bge-m3" }),
    node("s", "model.endpoint", { name: "stt", model: "openai/whisper-large-v3", gpu: "l4" }),
    node("q", "model.endpoint", { name: "qwen72", model: "Qwen/Qwen2.5-72B-Instruct", gpu: "a100-80g", runtime: "tgi" }),
  ]),
};

export type CorpusEntry = { name: string; result: CompileResult };

export function compileCorpus(): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  for (const dir of readdirSync(ROOT).sort()) {
    const raw = JSON.parse(readFileSync(join(ROOT, dir, "flow.json"), "utf8")) as { name: string; graph: unknown };
    const result = compileGraph(GraphDocSchema.parse(raw.graph), { name: raw.name });
    if (result.ok) entries.push({ name: dir, result });
  }
  for (const [name, g] of Object.entries(VARIANTS)) {
    const result = compileGraph(g, { name });
    if (!result.ok) throw new Error(`Variant ${name} does not compile: ${JSON.stringify(result.diagnostics)}`);
    entries.push({ name, result });
  }
  return entries;
}
