import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphDoc } from "#agents/graph/index";
import type { RunEvent } from "#agents/runtime/events";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";

let backend: TestBackend;
let alice: TestClient;

beforeAll(async () => {
  backend = await createTestBackend();
  alice = await backend.signedUpClient("alice@example.com", "Alice");
});
afterAll(() => backend.close());

async function collect(events: AsyncIterable<unknown>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of events) out.push((e as [string, RunEvent])[1]);
  return out;
}

/** The flow as an imported file could hold it: the memory wired into the model's system message (E106). */
function memoryIntoTheWrongPort(): GraphDoc {
  const graph = helloAgentGraph();
  graph.nodes.push({ id: "memory", type: "memory.conversation", version: 1, config: { windowSize: 10 }, ui: { x: 580, y: 240, label: "History" } });
  graph.edges.push({ id: "e4", from: { node: "memory", port: "memory" }, to: { node: "model", port: "system" } });
  return graph;
}

describe("a run of a graph the validator rejects", () => {
  it("fails with the validator's diagnostic, named by block, runs no block and stores no memory", async () => {
    const flow = await alice.trpc.flow.create({ name: "Imported", graph: memoryIntoTheWrongPort() });
    const { runId } = await alice.trpc.run.start({ flowId: flow.id, input: "remember me", conversationId: "conv-e106" });
    const events = await collect(await alice.trpc.run.events({ id: runId }));

    const finish = events.at(-1) as Extract<RunEvent, { type: "run.finish" }>;
    expect(finish).toMatchObject({ type: "run.finish", status: "failed", output: null });
    expect(finish.error).toBe("Fix this before running: Chat Model: A text port cannot take memory. (E106)");
    expect(events.filter((e) => e.type === "node.start")).toEqual([]);
    expect(events.find((e) => e.type === "node.error")).toMatchObject({ nodeId: "model", message: "A text port cannot take memory. (E106)" });

    const run = await alice.trpc.run.get({ id: runId });
    expect(run.status).toBe("failed");
    const stored = backend.sqlite.prepare("select count(*) as n from conversation_messages where conversation_id = 'conv-e106'").get() as { n: number };
    expect(stored.n).toBe(0);
  });
});
