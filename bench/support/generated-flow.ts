import type { GraphDoc, GraphEdge, GraphNode } from "#agents/graph/index";

/**
 * A valid flow of `totalNodes` nodes for the compile benchmark: a fifth are workloads (model
 * endpoints, containers wired to each other, batch jobs), the rest agent chains
 * (chat-input → prompt → agent → chat-output) answering with the deployed endpoints.
 */
const MODELS = ["Qwen/Qwen2.5-7B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-70B-Instruct", "BAAI/bge-m3"];

export function generateFlow(totalNodes: number): GraphDoc {
  const workloads = Math.floor(totalNodes / 5);
  const endpoints = Math.max(1, Math.floor(workloads / 2));
  const containers = Math.floor((workloads - endpoints) * 0.6);
  const jobs = workloads - endpoints - containers;
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const add = (id: string, type: string, config: unknown) => nodes.push({ id, type, version: 1, config, ui: { x: 0, y: 0 } });
  const link = (from: string, fromPort: string, to: string, toPort: string) =>
    edges.push({ id: `e${edges.length}`, from: { node: from, port: fromPort }, to: { node: to, port: toPort } });
  const duration = (i: number) => [1, 4, 24][i % 3];

  for (let i = 0; i < endpoints; i++) {
    add(`ep${i}`, "model.endpoint", { name: `ep-${i}`, model: MODELS[i % MODELS.length], runtime: i % 5 === 0 ? "ollama" : "vllm", durationHours: duration(i) });
  }
  for (let i = 0; i < containers; i++) {
    const internal = i % 2 === 1;
    add(`ct${i}`, "workload.container", {
      name: `ct-${i}`,
      image: internal ? "redis:7.2-alpine" : "ghcr.io/x/agent-runtime:1.4.2",
      env: { INDEX: String(i) },
      ports: [internal ? { port: 6379, public: false, http: false } : { port: 3000, public: true }],
      durationHours: duration(i - (i % 2)),
    });
    if (internal) link(`ct${i}`, "service", `ct${i - 1}`, "uses");
  }
  for (let i = 0; i < jobs; i++) {
    add(`job${i}`, "workload.job", { name: `job-${i}`, gpu: "rtx4090", durationHours: duration(i) });
  }
  // The rest: chat-input → prompt → agent (model from an endpoint) → chat-output.
  const chains = Math.floor((totalNodes - nodes.length) / 4);
  for (let i = 0; i < chains; i++) {
    add(`in${i}`, "io.chat-input", {});
    add(`pr${i}`, "prompt.template", { template: "Answer: {input}" });
    add(`ag${i}`, "agent.tools", {});
    add(`out${i}`, "io.chat-output", {});
    link(`in${i}`, "message", `pr${i}`, "input");
    link(`pr${i}`, "prompt", `ag${i}`, "prompt");
    link(`ep${i % endpoints}`, "model", `ag${i}`, "model");
    link(`ag${i}`, "text", `out${i}`, "message");
  }
  while (nodes.length < totalNodes) add(`pad${nodes.length}`, "io.chat-input", {});
  return { schemaVersion: 1, nodes, edges };
}

