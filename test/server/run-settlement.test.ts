import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { healthOf } from "#server/http/health";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend } from "../support/harness";
import { startGatewayHost, type GatewayHost } from "./gateway/support";

/**
 * A finished run is settled in one transaction (run-settlement.ts): its row, its origin (the
 * gateway's agent and key), its steps and its usage postings are stored together or not at
 * all. A settlement that fails is retried and shown on /healthz until it is stored.
 */
const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
afterEach(() => errorLog.mockClear());
afterAll(() => errorLog.mockRestore());

describe("a gateway request's settlement", () => {
  let host: GatewayHost;
  let token: string;
  let keyId: string;
  let agentId: string;

  beforeAll(async () => {
    // Retries come quickly here; the host's own policy waits longer between them.
    host = await startGatewayHost({}, { runStorageRetry: { firstDelayMs: 20, maxDelayMs: 200, maxAttempts: 10_000 } });
    const ada = await host.person("ada@example.com");
    const flow = await ada.flow.create({ name: "Billed", graph: helloAgentGraph() });
    agentId = (await ada.agent.publish({ flowId: flow.id, slug: "billed" })).id;
    const key = await ada.apiKey.create({ name: "server", kind: "secret" });
    token = key.token;
    keyId = key.key.id;
  }, 60_000);
  afterAll(() => host?.close());

  const sqlite = () => host.skyloom.services.database.sqlite;
  const runRow = (runId: string) => sqlite().prepare("select status, source, prompt_tokens as promptTokens from runs where id = ?").get(runId);
  const link = (runId: string) => sqlite().prepare("select agent_id as agentId, api_key_id as apiKeyId from agent_runs where run_id = ?").get(runId);
  const usage = () =>
    sqlite().prepare("select coalesce(sum(requests), 0) as requests, coalesce(sum(prompt_tokens), 0) as promptTokens from agent_usage_daily where agent_id = ?").get(agentId) as {
      requests: number;
      promptTokens: number;
    };
  const health = async () => (await fetch(`${host.url}/healthz`)).json() as Promise<{ status: string; runStorage: { waiting: number; lost: number; lastError: { message: string } | null } }>;

  async function ask(): Promise<string> {
    const { response } = await host.openai(token).chat.completions.create({ model: "billed", messages: [{ role: "user", content: "hello" }] }).withResponse();
    const runId = response.headers.get("x-skyloom-run-id") ?? "";
    // Settled in the group commit right after the run finished.
    host.skyloom.services.runStore.storeFinished();
    return runId;
  }

  it("stores the run, its agent and key, and its usage together", async () => {
    const before = usage();
    const runId = await ask();
    const run = runRow(runId) as { status: string; source: string; promptTokens: number };
    expect(run).toMatchObject({ status: "succeeded", source: "gateway" });
    expect(run.promptTokens).toBeGreaterThan(0);
    expect(link(runId)).toEqual({ agentId, apiKeyId: keyId });
    expect(usage()).toEqual({ requests: before.requests + 1, promptTokens: before.promptTokens + run.promptTokens });
    expect(await health()).toMatchObject({ status: "ok", runStorage: { waiting: 0, lost: 0 } });
  });

  it("when the usage cannot be written, neither is the run; /healthz says so until a retry stores both", async () => {
    const before = usage();
    sqlite().exec("create trigger usage_fails before insert on agent_usage_daily begin select raise(abort, 'disk full (simulated)'); end");
    let runId: string;
    try {
      // The caller still gets its answer: storage is behind the run.
      runId = await ask();
      const degraded = await health();
      expect(degraded).toMatchObject({ status: "degraded", runStorage: { waiting: 1, lost: 0, lastError: { message: "disk full (simulated)" } } });
      // One transaction: no run without its usage.
      expect(runRow(runId)).toBeUndefined();
      expect(link(runId)).toBeUndefined();
      expect(usage()).toEqual(before);
      expect(errorLog).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`^Could not store run ${runId} \\(attempt \\d+\\); trying again in \\d+ ms:$`)), expect.anything());
    } finally {
      sqlite().exec("drop trigger usage_fails");
    }
    await vi.waitFor(async () => expect((await health()).status).toBe("ok"), { timeout: 10_000, interval: 20 });
    expect(runRow(runId)).toMatchObject({ status: "succeeded", source: "gateway" });
    expect(link(runId)).toEqual({ agentId, apiKeyId: keyId });
    expect(usage().requests).toBe(before.requests + 1);
  });
});

describe("run storage that keeps failing", () => {
  it("gives a run up after its last attempt, logs it, and stays degraded", async () => {
    const backend = await createTestBackend({ adapters: { runStorageRetry: { firstDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 } } });
    try {
      const ada = await backend.signedUpClient("ada@example.com");
      const teamId = (await ada.trpc.auth.me())?.team?.id ?? "";
      backend.sqlite.exec("create trigger runs_fail before insert on runs begin select raise(abort, 'database is locked (simulated)'); end");
      const run = backend.services.runs.start({ teamId, graph: helloAgentGraph(), input: "hello", conversationId: "c", origin: { kind: "api" } });
      expect((await run.result).status).toBe("succeeded");
      await vi.waitFor(() => expect(backend.services.runStore.health()).toMatchObject({ waiting: 0, lost: 1 }), { timeout: 10_000, interval: 10 });
      expect(healthOf(backend.services)).toMatchObject({ status: "degraded", runStorage: { lost: 1, lastError: { message: "database is locked (simulated)" } } });
      expect(errorLog).toHaveBeenCalledWith(`Run ${run.runId} is lost: it could not be stored after 3 attempts:`, expect.anything());
    } finally {
      await backend.close();
    }
  });
});
