import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import type { ServiceAdapters } from "#server/composition";
import { startSkyloom, type RunningSkyloom } from "#server/index";
import { helloAgentGraph } from "#server/services/seed";
import type { ServerCaller } from "#server/trpc/root";
import { sessionCaller } from "../../support/session-caller";

/**
 * A real Skyloom host (Express, /api/trpc, /v1) on a free port with a temporary data folder,
 * without the Remix pages. People act through real tRPC callers bound to its deps; API clients
 * reach it over HTTP. `adapters` plug test doubles into its services (server/composition.ts).
 */
export async function startGatewayHost(env: Record<string, string> = {}, adapters: ServiceAdapters = {}) {
  const dir = mkdtempSync(join(tmpdir(), "skyloom-gw-"));
  const skyloom: RunningSkyloom = await startSkyloom({ DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", SKYLOOM_MARKETPLACE_NODES: "0", ...env }, { pages: false, adapters });
  const url = skyloom.url.replace("localhost", "127.0.0.1");

  /** One logged-in person (a fresh context per call, as HTTP gives one per request). */
  async function person(email: string): Promise<ServerCaller> {
    const caller = sessionCaller(skyloom.services).trpc;
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

export { memoryAgentGraph, promptAgentGraph } from "../../fixtures/agent-graphs";
export { helloAgentGraph };
