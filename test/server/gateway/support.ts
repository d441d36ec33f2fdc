import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import type { GraphDoc } from "#agents/graph/index";
import { startSkyloom, type RunningSkyloom } from "#server/index";
import { helloAgentGraph } from "#server/services/seed";
import { createContext } from "#server/trpc/context";
import { createCaller, type ServerCaller } from "#server/trpc/root";

/**
 * A real Skyloom host (Express, /api/trpc, /v1) on a free port with a temporary data folder,
 * without the Remix pages. People act through real tRPC callers bound to its deps; API clients
 * reach it over HTTP.
 */
export async function startGatewayHost(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "skyloom-gw-"));
  const skyloom: RunningSkyloom = await startSkyloom({ DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", ...env }, { pages: false });
  const url = skyloom.url.replace("localhost", "127.0.0.1");

  /** One logged-in person (a fresh context per call, as HTTP gives one per request). */
  async function person(email: string): Promise<ServerCaller> {
    let token: string | undefined;
    const cookies = {
      set: (t: string) => {
        token = t;
      },
      clear: () => {
        token = undefined;
      },
    };
    const caller = new Proxy({} as ServerCaller, {
      get(_target, key) {
        const c = createCaller(createContext(skyloom.deps, { sessionToken: token, clientIp: "127.0.0.1", cookies }));
        return (c as unknown as Record<string | symbol, unknown>)[key];
      },
    });
    await caller.auth.signup({ email, password: "correct-horse-battery", name: email.split("@")[0] });
    return caller;
  }

  return {
    skyloom,
    url,
    baseURL: `${url}/v1`,
    person,
    /** The official OpenAI SDK pointed at this Skyloom; no retries, so every status is seen as sent. */
    openai: (apiKey: string) => new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0 }),
    async close() {
      await skyloom.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type GatewayHost = Awaited<ReturnType<typeof startGatewayHost>>;

/** Input → Chat Model (with Conversation Memory) → Output: remembers earlier turns. */
export function memoryAgentGraph(): GraphDoc {
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

/** The 4-block agent with its prompt template replaced. */
export function promptAgentGraph(template: string): GraphDoc {
  const graph = helloAgentGraph();
  const prompt = graph.nodes.find((n) => n.id === "prompt");
  if (prompt) prompt.config = { template };
  return graph;
}

export { helloAgentGraph };
