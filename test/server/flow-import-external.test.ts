import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { createTestBackend, type TestBackend } from "../support/harness";
import { outcomeOf } from "../support/trpc-errors";

const fixture = (name: string) => readFileSync(join(process.cwd(), "test/fixtures/import", name), "utf8");

let backend: TestBackend;
afterEach(() => backend?.close());

describe("flow.importExternal", () => {
  test("a Flowise export becomes a flow of the team, with the report", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const { flow, report } = await ada.trpc.flow.importExternal({ text: fixture("flowise/tool-agent.json"), fileName: "Support Bot Chatflow.json" });
    expect(flow.name).toBe("Support Bot Chatflow");
    expect(report).toMatchObject({ format: "flowise", counts: { mapped: 7, placeholders: 0, secretsStripped: 3 } });
    const stored = await ada.trpc.flow.get({ id: flow.id });
    expect(stored.description).toBe("Imported from a Flowise chatflow.");
    expect(stored.summary.byType).toMatchObject({ "agent.tools": 1, "model.openai": 1, "tool.code": 1, "canvas.note": 1 });
    expect(JSON.stringify(stored.graph)).not.toMatch(/SECRET|FLOWISE-HEADER-TOKEN/);
  });

  test("Langflow and Dify files too; each placeholder is a note on the canvas", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const langflow = await ada.trpc.flow.importExternal({ text: fixture("langflow/odd-cases.json"), fileName: "odd.json" });
    expect(langflow.report.counts.placeholders).toBe(3);
    const dify = await ada.trpc.flow.importExternal({ text: fixture("dify/chatflow.yml"), fileName: "triage.yml" });
    expect(dify.flow.name).toBe("Support triage");
    const graph = (await ada.trpc.flow.get({ id: dify.flow.id })).graph;
    expect(graph.nodes.filter((n) => n.type === "canvas.note").map((n) => n.ui.label)).toContain("Not imported: Product docs");
  });

  test.each([
    ["a file in no known format", '{"todo":["milk"]}', /^BAD_REQUEST: This file is not a flow Skyloom can import.*\[I410\]$/],
    ["a prototype-pollution key", '{"nodes":[],"edges":[],"x":{"__proto__":{"admin":true}}}', /^BAD_REQUEST: .*"__proto__".*\[I413\]$/],
    ["deep nesting", `{"nodes":${"[".repeat(500)}${"]".repeat(500)}}`, /^BAD_REQUEST: .*nested more than 64 levels.*\[I412\]$/],
    ["broken JSON", '{"nodes": [', /^BAD_REQUEST: This file is not valid JSON.*\[I415\]$/],
  ])("%s is refused and creates nothing", async (_what, text, expected) => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const before = (await ada.trpc.flow.list()).length;
    expect(await outcomeOf(ada.trpc.flow.importExternal({ text, fileName: "x.json" }))).toMatch(expected);
    expect(await ada.trpc.flow.list()).toHaveLength(before);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  test("a file over the limit is refused before it is read", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("ada@example.com");
    const outcome = await outcomeOf(ada.trpc.flow.importExternal({ text: " ".repeat(5 * 1024 * 1024 + 1), fileName: "big.json" }));
    expect(outcome).toMatch(/^BAD_REQUEST: .*at most 5 MB/);
    expect(await ada.trpc.flow.list()).toHaveLength(0);
  });
});
