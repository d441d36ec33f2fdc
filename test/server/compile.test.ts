import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterEach, expect, test } from "vitest";
import { createTestBackend, type TestBackend } from "../support/harness";
import { joinTeam } from "../support/teams";

let backend: TestBackend | undefined;
afterEach(() => backend?.close());

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/compile", name, "flow.json"), "utf8")) as { name: string; graph: never };

test("compile.preview returns diagnostics, manifests per target and the quote for a flow", async () => {
  backend = await createTestBackend();
  const ada = await backend.signedUpClient("ada@example.com", "Ada");
  const { name, graph } = fixture("container-with-redis");
  const flow = await ada.trpc.flow.create({ name, graph });

  const preview = await ada.trpc.compile.preview({ flowId: flow.id });
  expect(preview.ok).toBe(true);
  expect(preview.diagnostics).toEqual([]);
  expect(preview.targets.map((t) => t.id)).toEqual(["spheron-icl", "akash-sdl", "kubernetes"]);
  const icl = preview.targets[0]?.files[0];
  expect(icl?.fileName).toBe("spheron-icl.yaml");
  expect(icl?.content).toContain(`from flow "${name}" revision 1`);
  expect(Object.keys((parse(icl?.content ?? "") as { services: object }).services)).toEqual(["agent-api", "cache"]);
  expect(preview.quote).toMatchObject({ currency: "SPON", totalPerHour: "0.25", escrow: "3" });
  expect(preview.quote?.workloads.map((w) => [w.name, w.perHour])).toEqual([["agent-api", "0.2"], ["cache", "0.05"]]);
});

test("compile.preview compiles a saved version, not the current graph", async () => {
  backend = await createTestBackend();
  const ada = await backend.signedUpClient("ada@example.com", "Ada");
  const llm = fixture("gpu-llm-endpoint");
  const flow = await ada.trpc.flow.create({ name: llm.name, graph: llm.graph });
  const version = await ada.trpc.flow.versions.create({ flowId: flow.id, message: "one endpoint" });
  await ada.trpc.flow.save({ id: flow.id, graph: fixture("fizz-job").graph, expectedRevision: 1 });

  const current = await ada.trpc.compile.preview({ flowId: flow.id, targets: ["spheron-icl"] });
  expect(current.targets[0]?.files[0]?.content).toContain("mode: fizz");
  const saved = await ada.trpc.compile.preview({ flowId: flow.id, versionId: version.id, targets: ["spheron-icl"] });
  expect(saved.version).toMatchObject({ id: version.id, number: 1 });
  expect(saved.targets.map((t) => t.id)).toEqual(["spheron-icl"]);
  expect(saved.targets[0]?.files[0]?.content).toContain("vllm/vllm-openai");
  expect(saved.targets[0]?.files[0]?.content).toContain(`version 1`);
});

test("an invalid flow gets its diagnostics and no manifests", async () => {
  backend = await createTestBackend();
  const ada = await backend.signedUpClient("ada@example.com", "Ada");
  const flow = await ada.trpc.flow.create({
    name: "Too big",
    graph: {
      schemaVersion: 1,
      nodes: [{ id: "m", type: "model.endpoint", version: 1, config: { model: "meta-llama/Llama-3.1-70B-Instruct", gpu: "t4", gpuCount: 1 }, ui: { x: 0, y: 0 } }],
      edges: [],
    },
  });
  const preview = await ada.trpc.compile.preview({ flowId: flow.id });
  expect(preview.ok).toBe(false);
  expect(preview.diagnostics).toMatchObject([{ code: "E302", node: "m", severity: "error" }]);
  expect(preview.targets.every((t) => t.files.length === 0)).toBe(true);
  expect(preview.quote).toBeNull();
});

test("another team's flow is NOT_FOUND, an anonymous caller UNAUTHORIZED, and uakt needs a rate", async () => {
  backend = await createTestBackend();
  const ada = await backend.signedUpClient("ada@example.com", "Ada");
  const bob = await backend.signedUpClient("bob@example.com", "Bob");
  const flow = await ada.trpc.flow.create({ name: "Ada's", graph: fixture("fizz-job").graph });
  await expect(bob.trpc.compile.preview({ flowId: flow.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(backend.client().trpc.compile.preview({ flowId: flow.id })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  await expect(ada.trpc.compile.preview({ flowId: flow.id, akashDenom: "uakt" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  const uakt = await ada.trpc.compile.preview({ flowId: flow.id, akashDenom: "uakt", uaktPerSpon: 2_000_000, targets: ["akash-sdl"] });
  expect(uakt.targets[0]?.files[0]?.content).toContain("denom: uakt");
  await expect(ada.trpc.compile.preview({ flowId: flow.id, versionId: "ver_nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
});

test("a viewer of the team may preview", async () => {
  backend = await createTestBackend();
  const ada = await backend.signedUpClient("ada@example.com", "Ada");
  const vic = await backend.signedUpClient("vic@example.com", "Vic");
  const flow = await ada.trpc.flow.create({ name: "Shared", graph: fixture("fizz-job").graph });
  await joinTeam(ada.trpc, vic.trpc, "viewer");
  const me = await ada.trpc.auth.me();
  await vic.trpc.team.switch({ teamId: me?.team?.id ?? "" });
  const preview = await vic.trpc.compile.preview({ flowId: flow.id });
  expect(preview.ok).toBe(true);
});
