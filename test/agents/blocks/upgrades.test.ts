import { describe, expect, it } from "vitest";
import { blockPorts, parseBlockConfig } from "#agents/blocks/index";
import { agentToolsBlock } from "#agents/blocks/agent-tools/block";
import { outputStructuredBlock } from "#agents/blocks/output-structured/block";
import { escapeTemplate, templateVariables } from "#agents/blocks/prompt-template/block";
import { renderTemplate } from "#agents/blocks/prompt-template/run.server";
import { toolCodeBlock } from "#agents/blocks/tool-code/block";
import { toolHttpBlock } from "#agents/blocks/tool-http/block";

/** Blocks whose config changed shape: what a version 1 node becomes, and the messages a person sees. */

function inputIds(block: Parameters<typeof blockPorts>[0], version: number, config: unknown): string[] {
  return blockPorts(block, version, config).inputs.map((p) => p.id);
}

function issuesOf(result: ReturnType<typeof parseBlockConfig>): string[] {
  return result.ok ? [] : result.issues.map((i) => i.message);
}

describe("agent.tools instructions are a template", () => {
  it("each {name} in the instructions becomes a text input beside Task, Model, Tools and Memory", () => {
    const ports = blockPorts(agentToolsBlock, 2, { systemPrompt: "Talk about {topic} in {language}; {{braces}} stay." }).inputs;
    expect(ports.map((p) => p.id)).toEqual(["prompt", "model", "tools", "memory", "topic", "language"]);
    expect(ports.find((p) => p.id === "topic")).toMatchObject({ type: "text", required: true, label: "topic" });
  });

  it("a variable named like one of the Agent's own inputs is refused with what to do", () => {
    const result = parseBlockConfig(agentToolsBlock, 2, { systemPrompt: "Use {model} well" });
    expect(issuesOf(result)).toEqual(['Rename {model}: the Agent already has an input called "model" (write {{model}} to keep the braces as text).']);
    expect(inputIds(agentToolsBlock, 2, { systemPrompt: "Use {model} well" })).toEqual(["prompt", "model", "tools", "memory"]);
  });

  it("instructions saved by version 1 (sent as written) keep saying the same and grow no inputs", () => {
    const old = 'Answer as {"reply": "{text}"}; keep {{ and }} as they are.';
    const result = parseBlockConfig(agentToolsBlock, 1, { systemPrompt: old, maxIterations: 3 });
    expect(result.ok).toBe(true);
    const config = (result as { config: { systemPrompt: string; maxIterations: number } }).config;
    expect(config.maxIterations).toBe(3);
    expect(renderTemplate(config.systemPrompt, {})).toBe(old);
    expect(inputIds(agentToolsBlock, 1, { systemPrompt: old })).toEqual(["prompt", "model", "tools", "memory"]);
  });

  it("escaping any text gives it back when rendered, with no variables", () => {
    const alphabet = ["{", "}", "a", "_", "1", " ", "{{", "}}", "{x}", "{x_1}"];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2_000; i++) {
      const text = Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join("");
      const escaped = escapeTemplate(text);
      expect(templateVariables(escaped), text).toEqual([]);
      expect(renderTemplate(escaped, {}), text).toBe(text);
    }
  });
});

describe("tool.http headers are a name → value record", () => {
  it("version 1's list becomes a record; a later duplicate wins and non-text values become text", () => {
    const result = parseBlockConfig(toolHttpBlock, 1, {
      url: "https://api.example.com/{q}",
      headers: [
        { name: "Accept", value: "text/plain" },
        { name: "X-Version", value: 2 },
        { name: "Accept", value: "application/json" },
      ],
    });
    expect(result.ok).toBe(true);
    expect((result as { config: { headers: unknown } }).config.headers).toEqual({ Accept: "application/json", "X-Version": "2" });
  });

  it("a bad header name is named in the message", () => {
    expect(issuesOf(parseBlockConfig(toolHttpBlock, 2, { headers: { "Bad Name": "x" } }))).toEqual([
      '"Bad Name" is not a header name: use letters, digits and -',
    ]);
  });
});

describe("JSON Schemas are stored as objects", () => {
  it("tool.code: version 1's JSON text becomes the object", () => {
    const result = parseBlockConfig(toolCodeBlock, 1, { inputSchema: '{"type":"object","properties":{"n":{"type":"number"}}}' });
    expect(result.ok).toBe(true);
    expect((result as { config: { inputSchema: unknown } }).config.inputSchema).toEqual({ type: "object", properties: { n: { type: "number" } } });
  });

  it("tool.code: a pasted schema object parses; the wrong kind of value says what to write", () => {
    expect(parseBlockConfig(toolCodeBlock, 2, { inputSchema: { type: "object", properties: { city: { type: "string" } } } }).ok).toBe(true);
    expect(issuesOf(parseBlockConfig(toolCodeBlock, 2, { inputSchema: { type: "string" } }))).toEqual(['Write a JSON Schema whose "type" is "object"']);
    expect(issuesOf(parseBlockConfig(toolCodeBlock, 2, { inputSchema: [1, 2] }))).toEqual([
      'Paste a JSON Schema object, e.g. {"type": "object", "properties": {…}}',
    ]);
    expect(issuesOf(parseBlockConfig(toolCodeBlock, 2, { inputSchema: { type: "object", properties: "city" } }))).toEqual([
      '"properties" maps each field name to its schema, e.g. {"city": {"type": "string"}}',
    ]);
  });

  it("tool.code: version 1 text that was not JSON is kept and reported, not lost", () => {
    const result = parseBlockConfig(toolCodeBlock, 1, { inputSchema: '{"type": "object",' });
    expect(issuesOf(result)).toEqual(['Paste a JSON Schema object, e.g. {"type": "object", "properties": {…}}']);
  });

  it("output.structured: version 1's JSON text becomes the object", () => {
    const result = parseBlockConfig(outputStructuredBlock, 1, { schema: '{"type":"array","items":{"type":"string"}}' });
    expect(result.ok).toBe(true);
    expect((result as { config: { schema: unknown } }).config.schema).toEqual({ type: "array", items: { type: "string" } });
    expect(issuesOf(parseBlockConfig(outputStructuredBlock, 2, { schema: { type: "number" } }))).toEqual([
      'Write a JSON Schema whose "type" is "object" or "array"',
    ]);
  });
});
