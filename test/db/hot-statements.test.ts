import { afterAll, beforeAll, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import { prepareHotStatements, type HotStatements } from "#db/hot-statements";
import { endpointRequests } from "#db/schema";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend } from "../support/harness";

/**
 * Every statement of db/hot-statements.ts, run against a database migrated as the host
 * migrates it, and read back: a schema change that breaks one of them fails here.
 */
let backend: TestBackend;
let statements: HotStatements;
const ids = { teamId: "", flowId: "", versionId: "", agentId: "", slug: "", keyId: "", token: "" };

beforeAll(async () => {
  backend = await createTestBackend();
  statements = prepareHotStatements(backend.sqlite);
  const ada = await backend.signedUpClient("ada@example.com");
  ids.teamId = (await ada.trpc.auth.me())?.team?.id ?? "";
  const flow = await ada.trpc.flow.create({ name: "Hot", graph: helloAgentGraph() });
  const agent = await ada.trpc.agent.publish({ flowId: flow.id, slug: "hot-agent" });
  const key = await ada.trpc.apiKey.create({ name: "hot", kind: "secret", allowedAgents: [agent.id] });
  Object.assign(ids, { flowId: flow.id, versionId: agent.flowVersionId, agentId: agent.id, slug: agent.slug, keyId: key.key.id, token: key.token });
});
afterAll(() => backend.close());

const row = (sql: string, ...params: unknown[]) => backend.sqlite.prepare(sql).get(...params) as Record<string, unknown> | undefined;

/** One check per statement; the last test makes sure none is left out. */
const checks: Record<keyof HotStatements, () => void> = {
  insertRun() {
    statements.insertRun.run({
      id: "run_hot",
      teamId: ids.teamId,
      flowId: ids.flowId,
      flowVersionId: ids.versionId,
      graph: "null",
      conversationId: "c",
      source: "gateway",
      status: "running",
      input: "hi",
      output: null,
      error: null,
      promptTokens: 0,
      completionTokens: 0,
      failedToolCalls: 0,
      startedAt: 1_000,
      finishedAt: null,
      durationMs: null,
      createdBy: null,
    });
    expect(row("select status, source, graph, started_at as startedAt from runs where id = 'run_hot'")).toEqual({ status: "running", source: "gateway", graph: "null", startedAt: 1_000 });
  },
  finishRun() {
    statements.finishRun.run({ id: "run_hot", status: "succeeded", output: "hello", error: null, promptTokens: 3, completionTokens: 4, failedToolCalls: 1, finishedAt: 1_050, durationMs: 50 });
    expect(row("select status, output, prompt_tokens as p, completion_tokens as c, failed_tool_calls as f, duration_ms as d from runs where id = 'run_hot'")).toEqual({
      status: "succeeded",
      output: "hello",
      p: 3,
      c: 4,
      f: 1,
      d: 50,
    });
  },
  insertStep() {
    const step = { runId: "run_hot", teamId: ids.teamId, seq: 1, nodeId: "model", blockType: "model.openai", status: "running", inputs: '{"a":1}', outputs: null, detail: null, error: null, startedAt: 1_001, finishedAt: null, durationMs: null };
    statements.insertStep.run(step);
    expect(row("select node_id as nodeId, status, inputs from run_steps where run_id = 'run_hot' and seq = 1")).toEqual({ nodeId: "model", status: "running", inputs: '{"a":1}' });
  },
  updateStep() {
    const step = { runId: "run_hot", teamId: ids.teamId, seq: 1, nodeId: "model", blockType: "model.openai", status: "succeeded", inputs: '{"a":1}', outputs: '{"text":"x"}', detail: null, error: null, startedAt: 1_001, finishedAt: 1_040, durationMs: 39 };
    statements.updateStep.run(step);
    expect(row("select status, outputs, duration_ms as d from run_steps where run_id = 'run_hot' and seq = 1")).toEqual({ status: "succeeded", outputs: '{"text":"x"}', d: 39 });
  },
  linkAgentRun() {
    const link = { runId: "run_hot", teamId: ids.teamId, agentId: ids.agentId, apiKeyId: ids.keyId, startedAt: 1_000 };
    statements.linkAgentRun.run(link);
    statements.linkAgentRun.run(link); // a second link of the same run changes nothing
    expect(row("select agent_id as a, api_key_id as k, count(*) as n from agent_runs where run_id = 'run_hot'")).toEqual({ a: ids.agentId, k: ids.keyId, n: 1 });
  },
  addAgentUsage() {
    const usage = { agentId: ids.agentId, teamId: ids.teamId, day: "2026-12-01", promptTokens: 3, completionTokens: 4 };
    statements.addAgentUsage.run({ ...usage, errors: 0 });
    statements.addAgentUsage.run({ ...usage, errors: 1 });
    expect(row("select requests, errors, prompt_tokens as p, completion_tokens as c from agent_usage_daily where agent_id = ? and day = '2026-12-01'", ids.agentId)).toEqual({
      requests: 2,
      errors: 1,
      p: 6,
      c: 8,
    });
  },
  insertEndpointRequest() {
    // An endpoint row to record against (its own fields do not matter here).
    backend.sqlite
      .prepare(
        `insert into model_endpoints (id, team_id, slug, model_id, gpu, mode, max_price_wei_per_second, state, created_at, updated_at)
         values ('mep_hot', ?, 'hot-endpoint', 'm', 'a10', 'provider', '1', 'stopped', 0, 0)`,
      )
      .run(ids.teamId);
    statements.insertEndpointRequest.run({ teamId: ids.teamId, endpointId: "mep_hot", apiKeyId: ids.keyId, promptTokens: 3, completionTokens: 4, latencyMs: 5, status: 200, at: 1_700_000_000_000 });
    const stored = backend.services.db.select().from(endpointRequests).where(eq(endpointRequests.endpointId, "mep_hot")).all();
    expect(stored).toMatchObject([{ teamId: ids.teamId, apiKeyId: ids.keyId, promptTokens: 3, completionTokens: 4, latencyMs: 5, status: 200, at: new Date(1_700_000_000_000) }]);
  },
  findApiKey() {
    const found = backend.services.apiKeys.find(ids.token);
    expect(found).toMatchObject({ id: ids.keyId, teamId: ids.teamId, kind: "secret", allowedAgents: [ids.agentId], revoked: false });
    expect(statements.findApiKey.get("no such hash")).toBeUndefined();
  },
  findServedAgent() {
    expect(statements.findServedAgent.get(ids.teamId, ids.slug)).toMatchObject({ id: ids.agentId, flowId: ids.flowId, flowVersionId: ids.versionId });
    expect(statements.findServedAgent.get(ids.teamId, "not-published")).toBeUndefined();
  },
};

test.each(Object.keys(checks))("%s runs against the migrated schema", (name) => {
  checks[name as keyof HotStatements]();
});

test("every hot statement has a check here", () => {
  expect(Object.keys(statements).sort()).toEqual(Object.keys(checks).sort());
});
