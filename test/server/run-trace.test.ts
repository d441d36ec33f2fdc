import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { WRITE_BEHIND_MS } from "#server/services/run-trace";
import { getRun, listRuns, startRun } from "#server/services/runs";
import { closeRuntimeHost, runtimeHost } from "#server/services/runtime-host";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend } from "../support/harness";

// Runs are stored behind (run-trace.ts): these tests read the database directly to check
// what is there, and when.
let backend: TestBackend;
let teamId: string;
let slow: DevModelServer;

beforeAll(async () => {
  backend = createTestBackend();
  slow = await startDevModelServer({ chunkDelayMs: 60 });
  await runtimeHost(backend.deps, { defaultModelBaseUrl: slow.baseUrl });
  const alice = await backend.signedUpClient("alice@example.com");
  teamId = (await alice.trpc.auth.me())?.team?.id ?? "";
});
afterAll(async () => {
  await closeRuntimeHost(backend.deps);
  await slow.close();
  backend.close();
});

const stepRows = (runId: string) =>
  backend.sqlite.prepare("select node_id as nodeId, status from run_steps where run_id = ? order by seq").all(runId) as { nodeId: string; status: string }[];
const runRow = (runId: string) => backend.sqlite.prepare("select status from runs where id = ?").get(runId) as { status: string } | undefined;

describe("run storage", () => {
  it("a run in progress is readable through the service at once, and in the database after the write-behind window", async () => {
    const handle = await startRun(backend.deps, { teamId, graph: helloAgentGraph(), input: "a slow question", conversationId: "trace-slow", source: "api" });
    // Read through the service: the run is stored first, so it is found and listed while it runs.
    expect(getRun(backend.db, { teamId }, handle.runId).status).toBe("running");
    expect(listRuns(backend.db, { teamId }, { limit: 10 }).map((r) => r.id)).toContain(handle.runId);
    // Past the window, every change is written as it happens: the model's step is there, running.
    await new Promise((resolve) => setTimeout(resolve, WRITE_BEHIND_MS + 100));
    expect(runRow(handle.runId)?.status).toBe("running");
    expect(stepRows(handle.runId)).toContainEqual({ nodeId: "model", status: "running" });
    const result = await handle.result;
    expect(result.status).toBe("succeeded");
    expect(runRow(handle.runId)?.status).toBe("succeeded");
    expect(stepRows(handle.runId)).toEqual(["input", "prompt", "model", "output"].map((nodeId) => ({ nodeId, status: "succeeded" })));
  });

  it("runs finishing together are stored together, with their steps", async () => {
    const handles = await Promise.all(
      Array.from({ length: 6 }, (_, i) => startRun(backend.deps, { teamId, graph: helloAgentGraph(), input: `question ${i}`, conversationId: `trace-many-${i}`, source: "gateway" })),
    );
    await Promise.all(handles.map((h) => h.result));
    // The group commit runs right after the turn they finished in.
    await new Promise((resolve) => setImmediate(resolve));
    for (const h of handles) {
      expect(runRow(h.runId)?.status).toBe("succeeded");
      expect(stepRows(h.runId).map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    }
  });

  it("a finished run waiting for its group commit is stored before the service reads it", async () => {
    const handle = await startRun(backend.deps, { teamId, graph: helloAgentGraph(), input: "read me at once", conversationId: "trace-read", source: "gateway" });
    await handle.result;
    const run = getRun(backend.db, { teamId }, handle.runId);
    expect(run.status).toBe("succeeded");
    expect(run.steps).toHaveLength(4);
  });
});
