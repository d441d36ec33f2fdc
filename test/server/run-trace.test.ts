import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { removeFlow } from "#server/services/flows";
import type { StartRunInput } from "#server/services/runs";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend } from "../support/harness";
import { startHeldModel, type HeldModel } from "../support/held-model";

// Runs are stored behind (run-recorder.ts): these tests read the database directly to check
// what is there, and when. The model's replies are held until a test releases them, so runs
// are in progress exactly as long as a test needs.
let backend: TestBackend;
let teamId: string;
let userId: string;
let alice: Awaited<ReturnType<TestBackend["signedUpClient"]>>;
let model: HeldModel;

beforeAll(async () => {
  model = await startHeldModel();
  backend = await createTestBackend({ adapters: { defaultModelBaseUrl: model.baseUrl } });
  alice = await backend.signedUpClient("alice@example.com");
  const me = await alice.trpc.auth.me();
  teamId = me?.team?.id ?? "";
  userId = me?.user?.id ?? "";
});
afterEach(() => model.release());
afterAll(async () => {
  await backend.close();
  await model.close();
});
const runs = () => backend.services.runs;

const stepRows = (runId: string) =>
  backend.sqlite.prepare("select node_id as nodeId, status from run_steps where run_id = ? order by seq").all(runId) as { nodeId: string; status: string }[];
const runRow = (runId: string) => backend.sqlite.prepare("select status from runs where id = ?").get(runId) as { status: string } | undefined;

describe("run storage", () => {
  it("a run in progress is readable through the service at once, and in the database after the write-behind window", async () => {
    model.hold();
    const handle = runs().start({ teamId, graph: helloAgentGraph(), input: "a slow question", conversationId: "trace-slow", origin: { kind: "api" } });
    await model.heldCalls(1);
    // Read through the service: the run is stored first, so it is found and listed while it runs.
    expect(runs().get({ teamId }, handle.runId).status).toBe("running");
    expect(runs().list({ teamId }, { limit: 10 }).map((r) => r.id)).toContain(handle.runId);
    // Past the window, every change is written as it happens: the model's step is there, running.
    await vi.waitFor(() => expect(stepRows(handle.runId)).toContainEqual({ nodeId: "model", status: "running" }), { timeout: 10_000, interval: 20 });
    expect(runRow(handle.runId)?.status).toBe("running");
    model.release();
    const result = await handle.result;
    expect(result.status).toBe("succeeded");
    expect(runRow(handle.runId)?.status).toBe("succeeded");
    expect(stepRows(handle.runId)).toEqual(["input", "prompt", "model", "output"].map((nodeId) => ({ nodeId, status: "succeeded" })));
  });

  it("runs finishing together are stored together, with their steps", async () => {
    model.hold();
    const handles = Array.from({ length: 6 }, (_, i) =>
      runs().start({ teamId, graph: helloAgentGraph(), input: `question ${i}`, conversationId: `trace-many-${i}`, origin: { kind: "api" } }),
    );
    await model.heldCalls(6);
    model.release();
    await Promise.all(handles.map((h) => h.result));
    // The group commit runs right after the turn they finished in.
    await new Promise((resolve) => setImmediate(resolve));
    for (const h of handles) {
      expect(runRow(h.runId)?.status).toBe("succeeded");
      expect(stepRows(h.runId).map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    }
  });

  it("a finished run waiting for its group commit is stored before the service reads it", async () => {
    const handle = runs().start({ teamId, graph: helloAgentGraph(), input: "read me at once", conversationId: "trace-read", origin: { kind: "api" } });
    await handle.result;
    const run = runs().get({ teamId }, handle.runId);
    expect(run.status).toBe("succeeded");
    expect(run.steps).toHaveLength(4);
  });
});

describe("a published agent's runs", () => {
  const storedGraph = (runId: string) => (backend.sqlite.prepare("select graph from runs where id = ?").get(runId) as { graph: string }).graph;
  const usageRequests = (agentId: string) =>
    (backend.sqlite.prepare("select coalesce(sum(requests), 0) as n from agent_usage_daily where agent_id = ?").get(agentId) as { n: number }).n;

  /** A flow published as an agent, and what the gateway passes the runs service for one request to it. */
  async function publishedRun(slug: string, input: string): Promise<{ flowId: string; agentId: string; start: () => StartRunInput }> {
    const flow = await alice.trpc.flow.create({ name: `Agent ${slug}`, graph: helloAgentGraph() });
    await alice.trpc.agent.publish({ flowId: flow.id, slug });
    const agent = backend.services.servedAgents.find(teamId, slug);
    if (!agent) throw new Error("not published");
    const { key } = await alice.trpc.apiKey.create({ name: `key for ${slug}`, kind: "secret" });
    const start = (): StartRunInput => ({
      teamId,
      flowId: agent.flowId,
      flowVersionId: agent.flowVersionId,
      graph: helloAgentGraph(),
      input,
      conversationId: `conv-${slug}`,
      origin: { kind: "gateway", agentId: agent.id, apiKeyId: key.id },
    });
    return { flowId: flow.id, agentId: agent.id, start };
  }

  it("refer to the pinned version's graph instead of storing a copy per request, and the run page still gets it", async () => {
    const agent = await publishedRun("by-reference", "one of many requests");
    const handle = runs().start(agent.start());
    await handle.result;
    const run = runs().get({ teamId }, handle.runId);
    expect(storedGraph(handle.runId)).toBe("null");
    expect(run.graph.nodes.map((n) => n.id)).toEqual(helloAgentGraph().nodes.map((n) => n.id));

    // Deleting the flow takes its versions; the run keeps its history and gets its own copy.
    removeFlow(backend.db, { teamId, userId }, agent.flowId, runs());
    expect(JSON.parse(storedGraph(handle.runId)).nodes).toHaveLength(4);
    const after = runs().get({ teamId }, handle.runId);
    expect(after.flowId).toBeNull();
    expect(after.graph.nodes.map((n) => n.id)).toEqual(run.graph.nodes.map((n) => n.id));
  });

  it("are stored, with their graph, when the flow is deleted while they run, and so are the runs committed with them", async () => {
    const doomed = await publishedRun("deleted-mid-run", "a slow question");
    const kept = await publishedRun("kept", "another slow question");
    model.hold();
    const [gone, staying] = [runs().start(doomed.start()), runs().start(kept.start())];
    await model.heldCalls(2);
    removeFlow(backend.db, { teamId, userId }, doomed.flowId, runs());
    model.release();
    const [goneResult, stayingResult] = await Promise.all([gone.result, staying.result]);
    expect([goneResult.status, stayingResult.status]).toEqual(["succeeded", "succeeded"]);

    const orphan = runs().get({ teamId }, gone.runId);
    expect(orphan).toMatchObject({ status: "succeeded", flowId: null, flowVersionId: null, input: "a slow question" });
    expect(orphan.graph.nodes).toHaveLength(4);
    expect(orphan.steps.map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);

    const other = runs().get({ teamId }, staying.runId);
    expect(other).toMatchObject({ status: "succeeded", flowId: kept.flowId });
    expect(usageRequests(kept.agentId)).toBe(1);
  });
});
