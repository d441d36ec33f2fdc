import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { readFlowFile, runCli } from "#server/cli/main";

const FIXTURES = join(process.cwd(), "test/fixtures/compile");
const fixture = (name: string) => join(FIXTURES, name, "flow.json");

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

describe("skyloom compile", () => {
  it("prints one target's manifest to stdout, byte-equal to the golden file", () => {
    const r = run("compile", fixture("gpu-llm-endpoint"), "--target", "spheron-icl");
    expect(r.code).toBe(0);
    const golden = readFileSync(join(FIXTURES, "gpu-llm-endpoint", "spheron-icl.yaml"), "utf8");
    // The golden files name their fixture as the source; the CLI names the file it read.
    expect(r.stdout).toBe(golden.replace("from fixture gpu-llm-endpoint", "from flow.json"));
    expect(r.stderr).toBe("");
  });

  it("prints every target as YAML documents when no --target is given", () => {
    const r = run("compile", fixture("container-with-redis"));
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { version?: string; kind?: string });
    expect(docs[0]?.version).toBe("1.0");
    expect(docs[1]?.version).toBe("2.0");
    expect(docs.slice(2).map((d) => d.kind)).toContain("Deployment");
  });

  it("writes one file per manifest and the quote with --out", () => {
    tmp = mkdtempSync(join(tmpdir(), "skyloom-cli-"));
    const r = run("compile", fixture("llama-70b-multi-gpu"), "--out", tmp, "--target", "spheron-icl,kubernetes");
    expect(r.code).toBe(0);
    expect(readdirSync(tmp).sort()).toEqual(["kubernetes.yaml", "quote.json", "spheron-icl.yaml"]);
    expect(JSON.parse(readFileSync(join(tmp, "quote.json"), "utf8"))).toMatchObject({ currency: "SPON" });
    expect(r.stderr).toMatch(/wrote .*spheron-icl\.yaml/);
  });

  it("exits 1 with the diagnostics on stderr and nothing on stdout for an invalid flow", () => {
    const r = run("compile", fixture("every-diagnostic"), "--target", "akash-sdl");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error: E302 (node small-gpu)");
    expect(r.stderr).toContain("error: E106 (node agent, port model)");
  });

  it("exits 1 for a flow with nothing to deploy", () => {
    tmp = mkdtempSync(join(tmpdir(), "skyloom-cli-"));
    const file = join(tmp, "agent.json");
    writeFileSync(file, JSON.stringify({ name: "agent", graph: { schemaVersion: 1, nodes: [], edges: [] } }));
    const r = run("compile", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("E311");
  });

  it("exits 2 with usage for bad arguments or files", () => {
    expect(run("compile", fixture("fizz-job"), "--target", "heroku").code).toBe(2);
    expect(run("compile").stderr).toContain("needs a flow file");
    expect(run("deploy", fixture("fizz-job")).code).toBe(2);
    expect(run("compile", fixture("fizz-job"), "--akash-denom", "uakt").stderr).toContain("--uakt-per-spon");
    expect(run("validate", "/nonexistent/flow.json").stderr).toContain("Cannot read");
    tmp = mkdtempSync(join(tmpdir(), "skyloom-cli-"));
    const file = join(tmp, "bad.json");
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, nodes: [] }));
    const r = run("validate", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a Skyloom flow file");
  });

  it("reads files with the editor's reader: hostile or future files exit 2 saying why, old blocks are upgraded", () => {
    tmp = mkdtempSync(join(tmpdir(), "skyloom-cli-"));
    const write = (name: string, text: string) => {
      writeFileSync(join(tmp!, name), text);
      return join(tmp!, name);
    };
    const node = { id: "http", type: "tool.http", version: 1, config: { name: "weather", url: "https://api.example.com/{q}", headers: [{ name: "Accept", value: "text/plain" }] }, ui: { x: 0, y: 0 } };
    const flow = { name: "old", graph: { schemaVersion: 1, nodes: [node], edges: [] } };

    const proto = run("validate", write("proto.json", JSON.stringify(flow).replace('"config":{', '"config":{"__proto__":{},')));
    expect(proto.code).toBe(2);
    expect(proto.stderr).toContain('has a key named "__proto__"');
    expect(proto.stderr).toContain("graph.nodes.0.config.__proto__: rename or remove this key");

    const future = run("validate", write("future.json", JSON.stringify({ ...flow, graph: { ...flow.graph, schemaVersion: 9 } })));
    expect(future.code).toBe(2);
    expect(future.stderr).toContain("written by a newer Skyloom");

    const big = run("validate", write("big.json", " ".repeat(5 * 1024 * 1024 + 1)));
    expect(big.code).toBe(2);
    expect(big.stderr).toContain("a flow file is at most 5 MB");

    // Version 1 kept headers as a list; the file is read as version 2, a name → value record.
    const old = write("old.json", JSON.stringify(flow));
    expect(readFlowFile(old).graph.nodes[0]).toMatchObject({ version: 2, config: { headers: { Accept: "text/plain" } } });
    expect(run("validate", old)).toMatchObject({ code: 0, stderr: "" });
  });

  it("prices Akash in uakt when given the rate", () => {
    const r = run("compile", fixture("fizz-job"), "--target", "akash-sdl", "--akash-denom", "uakt", "--uakt-per-spon", "2000000");
    expect(r.code).toBe(0);
    expect(JSON.stringify(parse(r.stdout))).toContain('"denom":"uakt"');
  });
});

describe("skyloom validate", () => {
  it("exits 0 for a valid flow and 1 with coded diagnostics for an invalid one", () => {
    expect(run("validate", fixture("agent-with-endpoint"))).toMatchObject({ code: 0, stderr: "" });
    const bad = run("validate", fixture("every-diagnostic"));
    expect(bad.code).toBe(1);
    for (const code of ["E101", "E109", "E201", "E202", "E303", "E304", "E305", "E306", "E308"]) expect(bad.stderr).toContain(code);
  });
});

describe("bin/skyloom.mjs", () => {
  // Two Node processes that compile TypeScript as they start: slow on a busy machine (90 s).
  it("runs as a real process from another directory, with no server", () => {
    tmp = mkdtempSync(join(tmpdir(), "skyloom-cli-"));
    const bin = join(process.cwd(), "bin/skyloom.mjs");
    const out = execFileSync(process.execPath, [bin, "compile", fixture("fizz-job"), "--target", "kubernetes"], { cwd: tmp, encoding: "utf8" });
    expect(parseAllDocuments(out)[0]?.toJS()).toMatchObject({ kind: "Job" });
    const failed = spawnSync(process.execPath, [bin, "validate", fixture("every-diagnostic")], { cwd: tmp, encoding: "utf8" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("E101");
  }, 90_000);
});
