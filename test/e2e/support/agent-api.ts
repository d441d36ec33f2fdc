import type { APIRequestContext } from "@playwright/test";

/** Calls a tRPC procedure over HTTP with the request context's session cookie. */
export async function trpcCall<T>(request: APIRequestContext, path: string, input: unknown, kind: "mutation" | "query" = "mutation"): Promise<T> {
  const response =
    kind === "mutation"
      ? await request.post(`/api/trpc/${path}`, { data: input as object })
      : await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`);
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!response.ok() || !body.result) throw new Error(`${path} failed (${response.status()}): ${body.error?.message ?? "no result"}`);
  return body.result.data;
}

/** Input → Chat Model (with Conversation Memory) → Output on the local development model. */
export function memoryAgentGraph() {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "input", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 0 } },
      { id: "memory", type: "memory.conversation", version: 1, config: { windowSize: 20, key: "" }, ui: { x: 0, y: 200 } },
      { id: "model", type: "model.openai", version: 1, config: { baseUrl: "", model: "skyloom-dev", credentialId: null, temperature: 0, maxTokens: 512 }, ui: { x: 300, y: 0 } },
      { id: "output", type: "io.chat-output", version: 1, config: {}, ui: { x: 600, y: 0 } },
    ],
    edges: [
      { id: "e1", from: { node: "input", port: "message" }, to: { node: "model", port: "prompt" } },
      { id: "e2", from: { node: "memory", port: "memory" }, to: { node: "model", port: "memory" } },
      { id: "e3", from: { node: "model", port: "text" }, to: { node: "output", port: "message" } },
    ],
  };
}

/** Chat Input → Prompt → Chat Model → Chat Output on the local development model. */
export function promptAgentGraph(template = "You are a friendly assistant.\n\nQuestion: {input}") {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "input", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 80 } },
      { id: "prompt", type: "prompt.template", version: 1, config: { template }, ui: { x: 280, y: 60 } },
      { id: "model", type: "model.openai", version: 1, config: { baseUrl: "", model: "skyloom-dev", credentialId: null, temperature: 0.7, maxTokens: 1024 }, ui: { x: 580, y: 40 } },
      { id: "output", type: "io.chat-output", version: 1, config: {}, ui: { x: 880, y: 80 } },
    ],
    edges: [
      { id: "e1", from: { node: "input", port: "message" }, to: { node: "prompt", port: "input" } },
      { id: "e2", from: { node: "prompt", port: "prompt" }, to: { node: "model", port: "prompt" } },
      { id: "e3", from: { node: "model", port: "text" }, to: { node: "output", port: "message" } },
    ],
  };
}
