import { describe, expect, it } from "vitest";
import { IMPORT_LIMITS, ImportError, importDify, importFlowFile, importFlowise } from "#agents/import/index";

/** Bad files are refused with a coded ImportError that says what is wrong; nothing is built. */
function refusal(run: () => unknown): ImportError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    return error as ImportError;
  }
  throw new Error("The import was not refused.");
}

const flowiseNode = (i: number) => ({ id: `calculator_${i}`, position: { x: i, y: 0 }, data: { name: "calculator", label: "Calculator", inputs: {} } });

describe("refused files", () => {
  it("a file in no known format (I410)", () => {
    const e = refusal(() => importFlowFile('{"hello":"world"}', "x.json"));
    expect(e.code).toBe("I410");
    expect(e.message).toMatch(/Flowise chatflow.*Langflow flow.*Dify app DSL/);
  });

  it("a 50 MB file, before parsing it (I411)", () => {
    const text = `{"nodes":[],"pad":"${"x".repeat(50 * 1024 * 1024)}"}`;
    const e = refusal(() => importFlowFile(text, "big.json"));
    expect(e.code).toBe("I411");
    expect(e.message).toContain(`at most ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB`);
  });

  it("a YAML file over its own, tighter limit (I411)", () => {
    const e = refusal(() => importDify(`app:\n  name: "${"x".repeat(IMPORT_LIMITS.maxYamlBytes)}"\nkind: app\n`));
    expect(e.code).toBe("I411");
    expect(e.message).toContain("YAML file is at most 1 MB");
  });

  it("deep nesting in JSON and YAML, flow or block style (I412)", () => {
    expect(refusal(() => importFlowFile(`${"[".repeat(100_000)}${"]".repeat(100_000)}`, "deep.json")).code).toBe("I412");
    expect(refusal(() => importFlowise(`{"nodes":${"[".repeat(70)}${"]".repeat(70)}}`)).code).toBe("I412");
    expect(refusal(() => importDify(`app: ${"[".repeat(5_000)}${"]".repeat(5_000)}`)).code).toBe("I412");
    const indented = Array.from({ length: 1_000 }, (_, i) => `${" ".repeat(i)}k:`).join("\n");
    expect(refusal(() => importDify(`${indented} 1`)).code).toBe("I412");
    expect(refusal(() => importDify(`${"- ".repeat(3_000)}x`)).code).toBe("I412");
  });

  it.each([
    ["__proto__ in JSON", '{"nodes":[{"id":"a","data":{"name":"calculator","inputs":{"__proto__":{"polluted":true}}}}]}', "x.json"],
    ["constructor in JSON", '{"nodes":[],"edges":[{"source":"a","target":"b","constructor":{"prototype":{}}}]}', "x.json"],
    ["__proto__ in YAML", "app:\n  name: x\n  __proto__:\n    polluted: true\nkind: app\n", "x.yml"],
    ["prototype in YAML", "kind: app\napp:\n  prototype: 1\n", "x.yaml"],
  ])("a prototype-pollution key: %s (I413)", (_what, text, file) => {
    const e = refusal(() => importFlowFile(text, file));
    expect(e.code).toBe("I413");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("too many nodes (I414)", () => {
    const text = JSON.stringify({ nodes: Array.from({ length: IMPORT_LIMITS.maxNodes + 1 }, (_, i) => flowiseNode(i)), edges: [] });
    const e = refusal(() => importFlowise(text));
    expect(e.code).toBe("I414");
    expect(e.message).toContain(`at most ${IMPORT_LIMITS.maxNodes} nodes`);
  });

  it("malformed JSON, YAML and envelopes (I415) name the problem", () => {
    expect(refusal(() => importFlowFile('{"nodes": [}', "x.json")).message).toMatch(/not valid JSON/);
    expect(refusal(() => importDify("app: [unclosed\nkind: app")).code).toBe("I415");
    const e = refusal(() => importFlowise('{"nodes":[{"id":"a"}],"edges":[]}'));
    expect(e.code).toBe("I415");
    expect(e.details.join("\n")).toContain("nodes.0.data");
    expect(refusal(() => importFlowFile('{"name":"x","graph":{"schemaVersion":1,"nodes":[{"id":"a","type":"no.such","version":1,"config":{},"ui":{"x":0,"y":0}}],"edges":[]}}')).details.join()).toContain(
      'Unknown block type "no.such"',
    );
  });

  it("a billion-laughs YAML file (I416)", () => {
    const rows = ["a: &a [x,x,x,x,x,x,x,x,x]"];
    for (const [name, prev] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"], ["f", "e"], ["g", "f"]]) rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    const e = refusal(() => importDify(`${rows.join("\n")}\n`));
    expect(e.code).toBe("I416");
  });

  it("YAML tags are data, never code", () => {
    // The tag is unknown to the YAML parser, so the value stays a string and the file is no app.
    const e = refusal(() => importFlowFile("app: !!js/function 'function () { globalThis.ran = true }'\nkind: app\n", "x.yml"));
    expect(e.code).toBe("I410");
    expect((globalThis as Record<string, unknown>).ran).toBeUndefined();
  });

  it("a name from the file never reaches Object.prototype's members", () => {
    const text = JSON.stringify({ nodes: [{ id: "constructor", data: { name: "constructor", label: "toString", inputs: {} } }], edges: [{ source: "constructor", target: "constructor", sourceHandle: "constructor-output-toString-x" }] });
    const result = importFlowise(text);
    expect(result.report.counts.placeholders).toBe(1);
  });
});
