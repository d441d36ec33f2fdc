import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EndpointResolver } from "#agents/runtime/context";
import type { RunEvent } from "#agents/runtime/events";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { createCredential } from "#server/services/credentials";
import { markInterruptedRuns } from "#server/services/runs";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";
import { startHeldModel, type HeldModel } from "../support/held-model";

// A Skyloom whose default model holds its replies until a test releases them, so runs can be
// cancelled midway; and a "remote" model API on loopback that only an operator may allow.
let backend: TestBackend;
let alice: TestClient;
let model: HeldModel;
let provider: DevModelServer;
let remote: Server;
let remoteUrl: string;
const remoteAuth: (string | undefined)[] = [];
/** The deployments a test has "started": the endpoints adapter resolves model.endpoint nodes from it. */
const deployed = new Map<string, { baseUrl: string; model: string }>();
const endpoints: EndpointResolver = {
  async resolve(node) {
    const endpoint = deployed.get(node.id);
    if (!endpoint) throw new Error("Deploy this endpoint first: it is not running yet (open Deploy and start it).");
    return endpoint;
  },
};

beforeAll(async () => {
  model = await startHeldModel();
  backend = await createTestBackend({ adapters: { defaultModelBaseUrl: model.baseUrl, endpoints } });
  alice = await backend.signedUpClient("alice@example.com");
  provider = await startDevModelServer();
  remote = createServer((req, res) => {
    remoteAuth.push(req.headers.authorization);
    // Forward to a dev model, as a stand-in for a provider's API.
    const target = new URL(req.url ?? "/", provider.baseUrl.replace(/\/v1$/, ""));
    void fetch(target, { method: req.method, headers: { "content-type": "application/json" }, body: req as unknown as BodyInit, duplex: "half" } as RequestInit).then(async (r) => {
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "text/plain" });
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => remote.listen(0, "127.0.0.1", () => r()));
  remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/v1`;
});
afterEach(() => model.release());
afterAll(async () => {
  await model.close();
  await provider.close();
  await new Promise((r) => remote.close(r));
  await backend.close();
});

async function collect(events: AsyncIterable<unknown>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of events) out.push((e as [string, RunEvent])[1]);
  return out;
}

describe("runs on the host", () => {
  it("run.cancel stops a run midway; the trace says where it stopped", async () => {
    const flow = await alice.trpc.flow.create({ name: "Slow", graph: helloAgentGraph() });
    model.hold();
    const { runId } = await alice.trpc.run.start({ flowId: flow.id, input: "a question that takes a while", conversationId: "c1" });
    const events: RunEvent[] = [];
    await model.heldCalls(1);
    for await (const item of await alice.trpc.run.events({ id: runId })) {
      const event = (item as unknown as [string, RunEvent])[1];
      events.push(event);
      // The model has been asked and has not answered: cancel there.
      if (event.type === "node.start" && event.nodeId === "model") {
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
    model.hold();
    const handle = backend.services.runs.start({
      teamId: me?.team?.id ?? "",
      graph: helloAgentGraph(),
      input: "slow",
      conversationId: "c-timeout",
      origin: { kind: "api" },
      limits: { timeoutMs: 150 },
    });
    const result = await handle.result;
    expect(result).toMatchObject({ status: "timed_out", error: "The run took longer than 150 ms (its time limit)." });
  });

  it("startRun gives the gateway events and a result, and stops when its signal aborts", async () => {
    const me = await alice.trpc.auth.me();
    const controller = new AbortController();
    const handle = backend.services.runs.start({
      teamId: me?.team?.id ?? "",
      graph: helloAgentGraph(),
      input: "from the gateway",
      conversationId: "gw-1",
      origin: { kind: "api" },
      signal: controller.signal,
    });
    const seen: string[] = [];
    model.hold();
    for await (const event of handle.events()) {
      seen.push(event.type);
      // The client goes away while the model is working on its answer.
      if (event.type === "node.start" && event.nodeId === "model") controller.abort();
    }
    expect(seen[0]).toBe("run.start");
    expect(seen.at(-1)).toBe("run.finish");
    expect((await handle.result).status).toBe("cancelled");
  });

  it("a base URL a user typed goes through the SSRF guard; an operator can allow it; the credential's key is sent", async () => {
    /** A run of a flow whose Chat Model calls the "remote" provider through a team credential. */
    const runWithCredential = async (on: TestBackend, conversationId: string) => {
      const me = await on.signedUpClient(`${conversationId}@example.com`).then((c) => c.trpc.auth.me());
      const teamId = me?.team?.id ?? "";
      const credential = createCredential(on.db, on.services.secretKey, { teamId, userId: me?.user.id ?? "" }, {
        name: "Local provider",
        kind: "openai",
        secret: "sk-local-1234567890",
        baseUrl: remoteUrl,
      });
      const graph = helloAgentGraph();
      (graph.nodes[2] as { config: unknown }).config = { baseUrl: "", model: "provider-model", credentialId: credential.id, temperature: 0, maxTokens: 100 };
      return on.services.runs.start({ teamId, graph, input: "hi", conversationId, origin: { kind: "api" } }).result;
    };

    const refused = await runWithCredential(backend, "ssrf-1");
    expect(refused.status).toBe("failed");
    expect(refused.failedNodeId).toBe("model");
    expect(refused.error).toMatch(/Refused to connect to 127\.0\.0\.1: it resolves to 127\.0\.0\.1, this machine \(loopback\)/);
    expect(remoteAuth).toEqual([]);

    const port = new URL(remoteUrl).port;
    const operators = await createTestBackend({ env: { SKYLOOM_ALLOW_PRIVATE_URLS: `127.0.0.1:${port}` }, adapters: { defaultModelBaseUrl: model.baseUrl } });
    try {
      const allowed = await runWithCredential(operators, "ssrf-2");
      expect(allowed.status).toBe("succeeded");
      expect(allowed.output).toContain("You said");
      expect(remoteAuth.at(-1)).toBe("Bearer sk-local-1234567890");
    } finally {
      await operators.close();
    }
  });

  it("OPENAI_API_KEY / OPENAI_BASE_URL replace the local development model as the default", async () => {
    const withEnvModel = await createTestBackend({ env: { OPENAI_API_KEY: "sk-env-0987654321", OPENAI_BASE_URL: remoteUrl } });
    try {
      const host = withEnvModel.services.runtime;
      expect(host.devModel).toBeNull();
      expect(host.defaultModel()).toEqual({ baseUrl: remoteUrl, apiKey: "sk-env-0987654321", source: "env" });
      const me = await (await withEnvModel.signedUpClient("env@example.com")).trpc.auth.me();
      const run = withEnvModel.services.runs.start({ teamId: me?.team?.id ?? "", graph: helloAgentGraph(), input: "via env", conversationId: "env-1", origin: { kind: "api" } });
      expect((await run.result).status).toBe("succeeded");
      // The operator's URL is trusted (not a user's), so loopback is fine here.
      expect(remoteAuth.at(-1)).toBe("Bearer sk-env-0987654321");
    } finally {
      await withEnvModel.close();
    }
  });

  it("a model.endpoint feeding an agent: 'Deploy this endpoint first' until the endpoints adapter resolves it", async () => {
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
    const run = () => backend.services.runs.start({ teamId: me?.team?.id ?? "", graph, input: "hi", conversationId: "ep", origin: { kind: "api" } }).result;
    const before = await run();
    expect(before).toMatchObject({ status: "failed", failedNodeId: "llama" });
    expect(before.error).toBe('Model Endpoint "My Llama": Deploy this endpoint first: it is not running yet (open Deploy and start it).');

    deployed.set("llama", { baseUrl: model.baseUrl, model: "served-by-llama" });
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
