import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "#agents/runtime/events";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { closeRuntimeHost, runtimeHost, setEndpointResolver } from "#server/services/runtime-host";
import { createCredential } from "#server/services/credentials";
import { markInterruptedRuns, startRun } from "#server/services/runs";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";

// A Skyloom whose default model is a slow local OpenAI-compatible server, so runs can be
// cancelled midway; and a "remote" model API on loopback that only an operator may allow.
let backend: TestBackend;
let alice: TestClient;
let slow: DevModelServer;
let remote: Server;
let remoteUrl: string;
const remoteAuth: (string | undefined)[] = [];

beforeAll(async () => {
  backend = createTestBackend();
  slow = await startDevModelServer({ chunkDelayMs: 40 });
  await runtimeHost(backend.deps, { defaultModelBaseUrl: slow.baseUrl });
  alice = await backend.signedUpClient("alice@example.com");
  const model = await startDevModelServer();
  remote = createServer((req, res) => {
    remoteAuth.push(req.headers.authorization);
    // Forward to a dev model, as a stand-in for a provider's API.
    const target = new URL(req.url ?? "/", model.baseUrl.replace(/\/v1$/, ""));
    void fetch(target, { method: req.method, headers: { "content-type": "application/json" }, body: req as unknown as BodyInit, duplex: "half" } as RequestInit).then(async (r) => {
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "text/plain" });
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => remote.listen(0, "127.0.0.1", () => r()));
  remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await closeRuntimeHost(backend.deps);
  await slow.close();
  await new Promise((r) => remote.close(r));
  backend.close();
});

async function collect(events: AsyncIterable<unknown>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of events) out.push((e as [string, RunEvent])[1]);
  return out;
}

describe("runs on the host", () => {
  it("run.cancel stops a run midway; the trace says where it stopped", async () => {
    const flow = await alice.trpc.flow.create({ name: "Slow", graph: helloAgentGraph() });
    const { runId } = await alice.trpc.run.start({ flowId: flow.id, input: "a question that takes a while", conversationId: "c1" });
    const events: RunEvent[] = [];
    for await (const item of await alice.trpc.run.events({ id: runId })) {
      const event = (item as unknown as [string, RunEvent])[1];
      events.push(event);
      if (event.type === "token" && events.filter((e) => e.type === "token").length === 2) {
        expect(await alice.trpc.run.cancel({ id: runId })).toEqual({ id: runId, cancelled: true });
      }
    }
    expect(events.at(-1)).toMatchObject({ type: "run.finish", status: "cancelled", error: "The run was cancelled." });
    const run = await alice.trpc.run.get({ id: runId });
    expect(run.status).toBe("cancelled");
    expect(run.steps.find((s) => s.nodeId === "model")).toMatchObject({ status: "failed", error: "The run was cancelled." });
    expect(run.steps.some((s) => s.nodeId === "output")).toBe(false);
    // Cancelling a finished run changes nothing.
    expect(await alice.trpc.run.cancel({ id: runId })).toEqual({ id: runId, cancelled: false });
  });

  it("a timeout ends the run as timed_out", async () => {
    const me = await alice.trpc.auth.me();
    const handle = await startRun(backend.deps, {
      teamId: me?.team?.id ?? "",
      graph: helloAgentGraph(),
      input: "slow",
      conversationId: "c-timeout",
      source: "api",
      limits: { timeoutMs: 150 },
    });
    const result = await handle.result;
    expect(result).toMatchObject({ status: "timed_out", error: "The run took longer than 150 ms (its time limit)." });
  });

  it("startRun gives the gateway events and a result, and stops when its signal aborts", async () => {
    const me = await alice.trpc.auth.me();
    const controller = new AbortController();
    const handle = await startRun(backend.deps, {
      teamId: me?.team?.id ?? "",
      graph: helloAgentGraph(),
      input: "from the gateway",
      conversationId: "gw-1",
      source: "gateway",
      signal: controller.signal,
    });
    const seen: string[] = [];
    for await (const event of handle.events()) {
      seen.push(event.type);
      if (event.type === "token") controller.abort();
    }
    expect(seen[0]).toBe("run.start");
    expect(seen.at(-1)).toBe("run.finish");
    expect((await handle.result).status).toBe("cancelled");
  });

  it("a base URL a user typed goes through the SSRF guard; an operator can allow it; the credential's key is sent", async () => {
    const me = await alice.trpc.auth.me();
    const teamId = me?.team?.id ?? "";
    const credential = createCredential(backend.db, backend.deps.secretKey, { teamId, userId: me?.user.id ?? "" }, {
      name: "Local provider",
      kind: "openai",
      secret: "sk-local-1234567890",
      baseUrl: remoteUrl,
    });
    const graph = helloAgentGraph();
    (graph.nodes[2] as { config: unknown }).config = { baseUrl: "", model: "provider-model", credentialId: credential.id, temperature: 0, maxTokens: 100 };

    const refused = await (await startRun(backend.deps, { teamId, graph, input: "hi", conversationId: "ssrf-1", source: "api" })).result;
    expect(refused.status).toBe("failed");
    expect(refused.failedNodeId).toBe("model");
    expect(refused.error).toMatch(/Refused to connect to 127\.0\.0\.1: it resolves to 127\.0\.0\.1, this machine \(loopback\)/);
    expect(remoteAuth).toEqual([]);

    const port = new URL(remoteUrl).port;
    const operatorDeps = { ...backend.deps, config: { ...backend.deps.config, allowPrivateUrls: `127.0.0.1:${port}` } };
    await runtimeHost(operatorDeps, { defaultModelBaseUrl: slow.baseUrl });
    try {
      const allowed = await (await startRun(operatorDeps, { teamId, graph, input: "hi", conversationId: "ssrf-2", source: "api" })).result;
      expect(allowed.status).toBe("succeeded");
      expect(allowed.output).toContain("You said");
      expect(remoteAuth.at(-1)).toBe("Bearer sk-local-1234567890");
    } finally {
      await closeRuntimeHost(operatorDeps);
    }
  });

  it("OPENAI_API_KEY / OPENAI_BASE_URL replace the local development model as the default", async () => {
    const me = await alice.trpc.auth.me();
    const envDeps = { ...backend.deps, config: { ...backend.deps.config, openaiApiKey: "sk-env-0987654321", openaiBaseUrl: remoteUrl } };
    const host = await runtimeHost(envDeps);
    try {
      expect(host.devModel).toBeNull();
      expect(host.defaultModel()).toEqual({ baseUrl: remoteUrl, apiKey: "sk-env-0987654321", source: "env" });
      const result = await (await startRun(envDeps, { teamId: me?.team?.id ?? "", graph: helloAgentGraph(), input: "via env", conversationId: "env-1", source: "api" })).result;
      expect(result.status).toBe("succeeded");
      // The operator's URL is trusted (not a user's), so loopback is fine here.
      expect(remoteAuth.at(-1)).toBe("Bearer sk-env-0987654321");
    } finally {
      await closeRuntimeHost(envDeps);
    }
  });

  it("a model.endpoint feeding an agent: 'Deploy this endpoint first' until the deployments service resolves it", async () => {
    const me = await alice.trpc.auth.me();
    const graph = {
      schemaVersion: 1 as const,
      nodes: [
        { id: "in", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 0 } },
        { id: "llama", type: "model.endpoint", version: 1, config: {}, ui: { x: 0, y: 200, label: "My Llama" } },
        { id: "agent", type: "agent.tools", version: 1, config: {}, ui: { x: 300, y: 0 } },
        { id: "out", type: "io.chat-output", version: 1, config: {}, ui: { x: 600, y: 0 } },
      ],
      edges: [
        { id: "e1", from: { node: "in", port: "message" }, to: { node: "agent", port: "prompt" } },
        { id: "e2", from: { node: "llama", port: "model" }, to: { node: "agent", port: "model" } },
        { id: "e3", from: { node: "agent", port: "text" }, to: { node: "out", port: "message" } },
      ],
    };
    const run = async () => (await startRun(backend.deps, { teamId: me?.team?.id ?? "", graph, input: "hi", conversationId: "ep", source: "api" })).result;
    const before = await run();
    expect(before).toMatchObject({ status: "failed", failedNodeId: "llama" });
    expect(before.error).toBe('Model Endpoint "My Llama": Deploy this endpoint first: it is not running yet (open Deploy and start it).');

    await setEndpointResolver(backend.deps, { resolve: async (node) => ({ baseUrl: slow.baseUrl, model: `served-by-${node.id}` }) });
    const after = await run();
    expect(after.status).toBe("succeeded");
    expect(after.output).toContain('You said: "hi"');
  });

  it("runs left running by a stopped process are marked failed and replay from the stored trace", async () => {
    const flow = await alice.trpc.flow.create({ name: "Interrupted", graph: helloAgentGraph() });
    const me = await alice.trpc.auth.me();
    backend.sqlite
      .prepare(
        "insert into runs (id, team_id, flow_id, graph, conversation_id, source, status, input, started_at) values (?, ?, ?, ?, 'c', 'chat', 'running', 'old question', ?)",
      )
      .run("run_stale", me?.team?.id, flow.id, JSON.stringify(helloAgentGraph()), Date.now());
    expect(markInterruptedRuns(backend.db)).toBe(1);
    const events = await collect(await alice.trpc.run.events({ id: "run_stale" }));
    expect(events.map((e) => e.type)).toEqual(["run.start", "run.finish"]);
    expect(events.at(-1)).toMatchObject({ status: "failed", error: "Skyloom stopped while this run was in progress." });
  });
});
