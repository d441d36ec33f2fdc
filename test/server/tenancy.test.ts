import { afterEach, beforeEach, expect, test } from "vitest";
import { auditLog, flows, flowVersions } from "#db/schema";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";
import { joinTeam } from "../support/teams";
import { outcomeOf } from "../support/trpc-errors";

let backend: TestBackend;
let owner: TestClient;
let flowId: string;
let versionId: string;

beforeEach(async () => {
  backend = await createTestBackend();
  owner = await backend.signedUpClient("owner@example.com");
  const team = await owner.trpc.team.create({ name: "Acme" });
  const flow = await owner.trpc.flow.create({ name: "Secret plans", graph: helloAgentGraph() });
  flowId = flow.id;
  versionId = (await owner.trpc.flow.versions.create({ flowId, message: "v1" })).id;
  await backend.signedUpClient("viewer@example.com").then(async (viewer) => {
    await joinTeam(owner.trpc, viewer.trpc, "viewer");
    await viewer.trpc.team.switch({ teamId: team.id });
  });
});
afterEach(() => backend.close());

/** Every flow procedure, aimed at the owner's flow. */
function everyFlowProcedure(c: TestClient): Record<string, () => Promise<unknown>> {
  const graph = { schemaVersion: 1 as const, nodes: [], edges: [] };
  return {
    get: () => c.trpc.flow.get({ id: flowId }),
    save: () => c.trpc.flow.save({ id: flowId, graph, expectedRevision: 1 }),
    rename: () => c.trpc.flow.rename({ id: flowId, name: "Mine now" }),
    duplicate: () => c.trpc.flow.duplicate({ id: flowId }),
    remove: () => c.trpc.flow.remove({ id: flowId }),
    "versions.list": () => c.trpc.flow.versions.list({ flowId }),
    "versions.get": () => c.trpc.flow.versions.get({ flowId, versionId }),
    "versions.create": () => c.trpc.flow.versions.create({ flowId, message: "hijack" }),
    "versions.restore": () => c.trpc.flow.versions.restore({ flowId, versionId }),
  };
}

function snapshot() {
  return {
    flows: backend.db.select().from(flows).all(),
    versions: backend.db.select().from(flowVersions).all(),
    audit: backend.db.select().from(auditLog).all().length,
  };
}

test("someone in another team gets NOT_FOUND for every flow procedure, and nothing changes", async () => {
  const stranger = await backend.signedUpClient("stranger@example.com");
  const before = snapshot();
  for (const [name, call] of Object.entries(everyFlowProcedure(stranger))) {
    expect(await outcomeOf(call()), name).toMatch(/^NOT_FOUND: (Flow|Version) not found\.$/);
  }
  expect((await stranger.trpc.flow.list()).map((f) => f.id)).not.toContain(flowId);
  expect(snapshot()).toEqual(before);
});

test("a viewer of the team may read but gets FORBIDDEN for every change, and nothing changes", async () => {
  const viewer = backend.client();
  await viewer.trpc.auth.login({ email: "viewer@example.com", password: "correct-horse-battery" });
  const acme = (await viewer.trpc.team.list()).find((t) => t.name === "Acme");
  await viewer.trpc.team.switch({ teamId: acme?.id ?? "" });

  const before = snapshot();
  const reads = new Set(["get", "versions.list", "versions.get"]);
  for (const [name, call] of Object.entries(everyFlowProcedure(viewer))) {
    if (reads.has(name)) expect(await outcomeOf(call()), name).toBe("no error");
    else expect(await outcomeOf(call()), name).toBe("FORBIDDEN: This needs the editor role in Acme; you are a viewer.");
  }
  // Nothing changed: not the flow, not its versions, and no audit entry for a change.
  expect(snapshot()).toEqual(before);
});

test("a team id from input cannot reach a team one is not in", async () => {
  const stranger = await backend.signedUpClient("stranger@example.com");
  const acme = (await owner.trpc.team.list()).find((t) => t.name === "Acme");
  expect(await outcomeOf(stranger.trpc.team.switch({ teamId: acme?.id ?? "" }))).toBe("NOT_FOUND: Team not found.");
  expect((await stranger.trpc.auth.me())?.team?.name).toBe("stranger's team");
});

test("logged-out callers get UNAUTHORIZED", async () => {
  const anonymous = backend.client();
  for (const [name, call] of Object.entries(everyFlowProcedure(anonymous))) {
    expect(await outcomeOf(call()), name).toBe("UNAUTHORIZED: Log in first.");
  }
});
