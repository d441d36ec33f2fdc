import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateGraph } from "#agents/compile/validate";
import { GraphDocSchema } from "#agents/graph/index";
import { runCli } from "#server/cli/main";

const IMPORTS = join(process.cwd(), "test/fixtures/import");

function run(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe("skyloom import", () => {
  it("prints the flow file on stdout and the report on stderr", () => {
    const r = run("import", join(IMPORTS, "flowise/tool-agent.json"));
    expect(r.code).toBe(0);
    const flow = JSON.parse(r.stdout) as { name: string; graph: unknown };
    expect(flow.name).toBe("tool-agent");
    const graph = GraphDocSchema.parse(flow.graph);
    expect(validateGraph(graph).filter((d) => d.severity === "error")).toEqual([]);
    expect(r.stderr.split("\n")[0]).toBe(
      'tool-agent.json: Flowise chatflow "tool-agent": 7 of 7 nodes mapped, 0 placeholder notes, 3 secrets not imported, 5 of 5 connections imported.',
    );
    expect(r.stderr).toContain("info: I401 (toolAgent toolAgent_0) → toolAgent_0: Tool Agent → Agent.");
    expect(r.stderr).toContain('warning: I403 (chatOpenAI chatOpenAI_0): The secret "openAIApiKey" was not imported');
    expect(r.stdout + r.stderr).not.toContain("sk-live-FLOWISE-SECRET-123");
  });

  it("reads a Dify YAML file and lists its placeholder notes", () => {
    const r = run("import", join(IMPORTS, "dify/workflow-if-else.yml"));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: "Urgent or not" });
    expect(r.stderr).toMatch(/warning: I402 \(code code_step\) → code_step: Placeholder note/);
    expect(r.stderr).toMatch(/warning: I404 \(code code_step\)/);
  });

  it("exits 1 with the coded reason and prints no flow for a refused file", () => {
    tmp = mkdtempSync(join(tmpdir(), "skyloom-import-"));
    const polluted = join(tmp, "polluted.json");
    writeFileSync(polluted, '{"nodes":[{"id":"a","data":{"name":"calculator","__proto__":{"x":1}}}],"edges":[]}');
    const r = run("import", polluted);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: I413: polluted\.json: This file has a key "__proto__"/);

    const unknown = join(tmp, "notes.json");
    writeFileSync(unknown, '{"todo":["milk"]}');
    expect(run("import", unknown)).toMatchObject({ code: 1, stdout: "", stderr: expect.stringMatching(/^error: I410: /) });
  });

  it("refuses a file over the limit without reading it, and exits 2 for a missing file", () => {
    tmp = mkdtempSync(join(tmpdir(), "skyloom-import-"));
    const big = join(tmp, "big.json");
    writeFileSync(big, Buffer.alloc(6 * 1024 * 1024, 32));
    expect(run("import", big)).toMatchObject({ code: 1, stdout: "", stderr: expect.stringMatching(/^error: I411: .*at most 5 MB/) });
    const missing = run("import", join(tmp, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read .*nope\.json/);
  });

  it("works through bin/skyloom.mjs", () => {
    const r = spawnSync(process.execPath, [join(process.cwd(), "bin/skyloom.mjs"), "import", join(IMPORTS, "langflow/basic-prompting.json")], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: "Basic Prompting" });
    expect(r.stderr).toContain("Langflow flow");
  });
});
