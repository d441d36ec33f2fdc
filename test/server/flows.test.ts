import { afterEach, describe, expect, test } from "vitest";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { flows, flowVersions } from "#db/schema";
import { helloAgentGraph } from "#server/services/seed";
import { createTestBackend, type TestBackend } from "../support/harness";
import { joinTeam } from "../support/teams";
import { outcomeOf } from "../support/trpc-errors";

let backend: TestBackend;
afterEach(() => backend?.close());

describe("flows", () => {
  test("create, rename, duplicate, list and delete", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const flow = await ada.trpc.flow.create({ name: "  Support bot ", description: "Answers tickets" });
    expect(flow).toMatchObject({ name: "Support bot", revision: 1, graph: { schemaVersion: 1, nodes: [], edges: [] } });

    await ada.trpc.flow.save({ id: flow.id, graph: helloAgentGraph(), expectedRevision: 1 });
    await ada.trpc.flow.rename({ id: flow.id, name: "Helpdesk" });
    const copy = await ada.trpc.flow.duplicate({ id: flow.id });
    expect(copy).toMatchObject({ name: "Helpdesk (copy)", description: "Answers tickets", graph: helloAgentGraph() });

    const list = await ada.trpc.flow.list();
    expect(list.map((f) => [f.name, f.nodeCount, f.edgeCount])).toEqual(
      expect.arrayContaining([
        ["Helpdesk", 4, 3],
        ["Helpdesk (copy)", 4, 3],
      ]),
    );
    expect(list).toHaveLength(2);
    const got = await ada.trpc.flow.get({ id: flow.id });
    expect(got.summary).toEqual({ nodes: 4, edges: 3, byType: { "io.chat-input": 1, "prompt.template": 1, "model.openai": 1, "io.chat-output": 1 } });

    await ada.trpc.flow.remove({ id: copy.id });
    expect((await ada.trpc.flow.list()).map((f) => f.id)).toEqual([flow.id]);
    expect(await outcomeOf(ada.trpc.flow.get({ id: copy.id }))).toBe("NOT_FOUND: Flow not found.");
  });

  test("the list says which flows are published, and under which name, until unpublished", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const served = await ada.trpc.flow.create({ name: "Served", graph: helloAgentGraph() });
    await ada.trpc.flow.create({ name: "Draft", graph: helloAgentGraph() });
    const agent = await ada.trpc.agent.publish({ flowId: served.id, slug: "helpdesk" });
    const published = async () => Object.fromEntries((await ada.trpc.flow.list()).map((f) => [f.name, f.publishedSlug]));
    expect(await published()).toEqual({ Served: "helpdesk", Draft: null });
    await ada.trpc.agent.unpublish({ id: agent.id });
    expect(await published()).toEqual({ Served: null, Draft: null });
  });

  test("a stale save is a CONFLICT and writes nothing", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const flow = await ada.trpc.flow.create({ name: "Two tabs" });
    const first = await ada.trpc.flow.save({ id: flow.id, graph: helloAgentGraph(), expectedRevision: 1 });
    expect(first.revision).toBe(2);

    const otherTab = { schemaVersion: 1 as const, nodes: [], edges: [] };
    expect(await outcomeOf(ada.trpc.flow.save({ id: flow.id, graph: otherTab, expectedRevision: 1 }))).toMatch(
      /^CONFLICT: This flow was changed elsewhere \(now at revision 2, you started from 1\)/,
    );
    const stored = await ada.trpc.flow.get({ id: flow.id });
    expect(stored).toMatchObject({ revision: 2, graph: helloAgentGraph() });
  });

  test("versions: snapshot, list with author, preview, restore; a conflicting copy can be kept", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com", "Ada");
    const flow = await ada.trpc.flow.create({ name: "Versioned", graph: helloAgentGraph() });
    const v1 = await ada.trpc.flow.versions.create({ flowId: flow.id, message: "First working agent" });
    expect(v1).toMatchObject({ number: 1, message: "First working agent" });

    const empty = { schemaVersion: 1 as const, nodes: [], edges: [] };
    await ada.trpc.flow.save({ id: flow.id, graph: empty, expectedRevision: 1 });
    const kept = await ada.trpc.flow.versions.create({ flowId: flow.id, message: "Kept mine", graph: helloAgentGraph() });
    expect(kept.number).toBe(2);

    const list = await ada.trpc.flow.versions.list({ flowId: flow.id });
    expect(list.map((v) => [v.number, v.message, v.authorName])).toEqual([
      [2, "Kept mine", "Ada"],
      [1, "First working agent", "Ada"],
    ]);
    expect((await ada.trpc.flow.versions.get({ flowId: flow.id, versionId: v1.id })).graph).toEqual(helloAgentGraph());

    const restored = await ada.trpc.flow.versions.restore({ flowId: flow.id, versionId: v1.id });
    expect(restored).toMatchObject({ revision: 3, graph: helloAgentGraph() });
    expect(await outcomeOf(ada.trpc.flow.versions.create({ flowId: flow.id, message: "   " }))).toBe(
      "BAD_REQUEST: message: Describe this version in a few words",
    );
  });

  test("everything persists when the database is closed and opened again", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const flow = await ada.trpc.flow.create({ name: "Durable", graph: helloAgentGraph() });
    await ada.trpc.flow.versions.create({ flowId: flow.id, message: "v1" });
    const path = backend.services.config.databasePath;
    backend.sqlite.close();

    const reopened = openDatabase(path, migrationsFolder());
    try {
      expect(reopened.db.select().from(flows).all().map((f) => f.name)).toEqual(["Durable"]);
      expect(reopened.db.select().from(flowVersions).all()).toHaveLength(1);
      expect(reopened.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(reopened.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    } finally {
      reopened.close();
    }
  });
});

describe("teams", () => {
  test("create another team, switch, and see only that team's flows", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com", "Ada");
    await ada.trpc.flow.create({ name: "Personal flow" });
    const team = await ada.trpc.team.create({ name: "Acme" });
    expect((await ada.trpc.auth.me())?.team).toMatchObject({ id: team.id, name: "Acme", role: "owner" });
    expect(await ada.trpc.flow.list()).toEqual([]);
    await ada.trpc.flow.create({ name: "Acme flow" });

    const teams = await ada.trpc.team.list();
    expect(teams.map((t) => [t.name, t.role, t.active])).toEqual([
      ["Ada's team", "owner", false],
      ["Acme", "owner", true],
    ]);
    const personal = teams.find((t) => t.personal);
    await ada.trpc.team.switch({ teamId: personal?.id ?? "" });
    expect((await ada.trpc.flow.list()).map((f) => f.name)).toEqual(["Personal flow"]);
    expect(await outcomeOf(ada.trpc.team.create({ name: "  " }))).toBe("BAD_REQUEST: name: Give the team a name");
  });

  test("a member's role decides what they may do", async () => {
    backend = await createTestBackend();
    const owner = await backend.signedUpClient("owner@example.com");
    const viewer = await backend.signedUpClient("viewer@example.com");
    const team = await owner.trpc.team.create({ name: "Acme" });
    await joinTeam(owner.trpc, viewer.trpc, "viewer");
    await viewer.trpc.team.switch({ teamId: team.id });

    expect((await viewer.trpc.team.members.list()).map((m) => [m.email, m.role])).toEqual([
      ["owner@example.com", "owner"],
      ["viewer@example.com", "viewer"],
    ]);
    expect(await outcomeOf(viewer.trpc.flow.create({ name: "Nope" }))).toBe(
      "FORBIDDEN: This needs the editor role in Acme; you are a viewer.",
    );
    expect(await outcomeOf(viewer.trpc.team.invitations.create({ email: "friend@example.com", role: "admin" }))).toBe(
      "FORBIDDEN: This needs the admin role in Acme; you are a viewer.",
    );
  });
});
