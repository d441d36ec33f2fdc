import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileGraph } from "#agents/compile/compile";
import { DIAGNOSTIC_CODES } from "#agents/graph/diagnostics";
import { FIXTURE_ROOT, FIXTURES, loadFixture } from "./support/fixtures";

/**
 * Golden files: each folder under test/fixtures/compile holds a flow.json and the exact
 * manifests, quote and diagnostics it must compile to. After an intended change, regenerate
 * with `UPDATE_GOLDEN=1 npx vitest run test/agents/compile/golden.test.ts` and review the diff.
 */
const ROOT = FIXTURE_ROOT;
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function expectedFiles(name: string): Map<string, string> {
  const flow = loadFixture(name);
  const result = compileGraph(flow.graph, { name: flow.name }, { source: `fixture ${name}` });
  const files = new Map<string, string>();
  for (const list of Object.values(result.manifests)) for (const f of list ?? []) files.set(f.fileName, f.content);
  files.set("quote.json", `${JSON.stringify(result.quote, null, 2)}\n`);
  files.set("diagnostics.json", `${JSON.stringify(result.diagnostics, null, 2)}\n`);
  return files;
}

describe("golden manifests", () => {
  it("has the fixture flows the issue asks for", () => {
    expect(FIXTURES).toEqual(
      expect.arrayContaining([
        "gpu-llm-endpoint",
        "llama-70b-multi-gpu",
        "agent-with-endpoint",
        "container-with-redis",
        "fizz-job",
        "every-diagnostic",
      ]),
    );
  });

  for (const name of FIXTURES) {
    it(`${name} compiles to its golden files`, () => {
      const produced = expectedFiles(name);
      const dir = join(ROOT, name);
      if (UPDATE) {
        mkdirSync(dir, { recursive: true });
        for (const file of readdirSync(dir)) if (file !== "flow.json" && !produced.has(file)) throw new Error(`Stale golden file ${name}/${file}: delete it.`);
        for (const [file, content] of produced) writeFileSync(join(dir, file), content);
      }
      const onDisk = readdirSync(dir).filter((f) => f !== "flow.json").sort();
      expect(onDisk).toEqual([...produced.keys()].sort());
      for (const [file, content] of produced) {
        expect(existsSync(join(dir, file))).toBe(true);
        expect(content, `${name}/${file}`).toBe(readFileSync(join(dir, file), "utf8"));
      }
    });
  }
});

describe("the every-diagnostic fixture", () => {
  it("raises every compile code in the catalog (E311 needs a flow with no workloads, E316 a dispatch, E317 the host's deployments; each has its own test; I4xx are import codes, see test/agents/import)", () => {
    const flow = loadFixture("every-diagnostic");
    const raised = new Set(compileGraph(flow.graph, { name: flow.name }).diagnostics.map((d) => d.code));
    const expected = Object.keys(DIAGNOSTIC_CODES).filter((c) => c !== "E311" && c !== "E316" && c !== "E317" && !c.startsWith("I"));
    expect([...raised].sort()).toEqual(expected.sort());
  });

  it("names a node for every diagnostic", () => {
    const flow = loadFixture("every-diagnostic");
    const nodeIds = flow.graph.nodes.map((n) => n.id);
    for (const d of compileGraph(flow.graph, { name: flow.name }).diagnostics) expect(nodeIds, `${d.code} ${d.message}`).toContain(d.node);
  });
});
