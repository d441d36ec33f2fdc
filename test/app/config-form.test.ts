import { describe, expect, it } from "vitest";
import { z } from "zod";
import { blockRegistry, BLOCKS } from "#agents/blocks/index";
import { plainMessage } from "#app/components/canvas/config-form/plain-messages";
import { configFields, fieldShown } from "#app/components/canvas/config-form/schema-fields";

describe("config form from zod schemas", () => {
  it("gives every field of every registered block a control and a title", () => {
    for (const block of BLOCKS) {
      const fields = configFields(block.config);
      const shape = (block.config as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      expect(fields.map((f) => f.key).sort(), block.type).toEqual(Object.keys(shape).sort());
      for (const f of fields) expect(f.title.length, `${block.type}.${f.key}`).toBeGreaterThan(0);
    }
  });

  it("chooses widgets from meta and types", () => {
    const model = configFields(blockRegistry.get("model.openai")!.config);
    const byKey = new Map(model.map((f) => [f.key, f]));
    expect(byKey.get("credentialId")).toMatchObject({ widget: "secret", nullable: true, title: "API key" });
    expect(byKey.get("temperature")).toMatchObject({ widget: "number", minimum: 0, maximum: 2, defaultValue: 0.7 });
    expect(byKey.get("maxTokens")).toMatchObject({ widget: "number", integer: true, minimum: 1 });
    expect(byKey.get("baseUrl")).toMatchObject({ widget: "provider-url", title: "Provider" });
    // The model picker knows where its siblings keep the base URL and the credential.
    expect(byKey.get("model")).toMatchObject({ widget: "model", optionsSource: { load: "provider-models", baseUrl: "baseUrl", credential: "credentialId" } });
    expect(byKey.get("temperature")?.help).toMatch(/How varied the answers are/);
    expect(byKey.get("credentialId")?.help).toBeUndefined();
    expect(configFields(blockRegistry.get("prompt.template")!.config)[0]).toMatchObject({ widget: "prompt" });
    expect(configFields(blockRegistry.get("knowledge.retriever")!.config)[0]).toMatchObject({ key: "knowledgeBaseId", widget: "knowledge-base", title: "Knowledge base" });

    const custom = configFields(
      z.object({
        on: z.boolean().default(false),
        mode: z.enum(["a", "b"]).default("a").meta({ enumLabels: { a: "Alpha", b: "Beta" } }),
        env: z.record(z.string(), z.string()).default({}),
        tags: z.array(z.string()).default([]),
        ports: z.array(z.object({ port: z.number() })).default([]),
        body: z.string().default("").meta({ widget: "code" }),
      }),
    );
    expect(custom.map((f) => [f.key, f.widget])).toEqual([
      ["on", "toggle"],
      ["mode", "select"],
      ["env", "key-value"],
      ["tags", "list"],
      ["ports", "json"],
      ["body", "code"],
    ]);
    expect(custom[1]!.options).toEqual([
      { value: "a", label: "Alpha" },
      { value: "b", label: "Beta" },
    ]);
  });

  it("gives the HTTP tool's headers the key/value editor, JSON Schemas the JSON box as objects, and long text its limit", () => {
    const field = (type: string, key: string) => configFields(blockRegistry.get(type)!.config).find((f) => f.key === key);
    expect(field("tool.http", "headers")).toMatchObject({ widget: "key-value", defaultValue: {} });
    expect(field("tool.code", "inputSchema")).toMatchObject({ widget: "json", defaultValue: { type: "object" } });
    expect(field("output.structured", "schema")).toMatchObject({ widget: "json", defaultValue: { type: "object" } });
    expect(field("agent.tools", "systemPrompt")).toMatchObject({ widget: "prompt", maxLength: 20_000 });
  });

  it("says zod's generic problems in plain words, naming the field", () => {
    const schema = blockRegistry.get("model.openai")!.config;
    const issue = (value: unknown, key: string) => {
      const r = schema.safeParse({ [key]: value });
      if (r.success) throw new Error("expected a problem");
      const i = r.error.issues[0]!;
      return plainMessage(i.message, schema, i.path.join("."));
    };
    expect(issue("hot", "temperature")).toBe("Temperature: enter a number");
    expect(issue(5, "temperature")).toBe("Temperature is between 0 and 2");
    expect(issue(1.5, "maxTokens")).toBe("Max tokens is a whole number");
    expect(issue("", "model")).toBe("Name the model, e.g. gpt-4o-mini");
  });
});

describe("declared form layout: advanced section, conditions, options loaded on demand", () => {
  const fieldsOf = (type: string) => configFields(blockRegistry.get(type)!.config);
  const mainKeys = (type: string) => fieldsOf(type).filter((f) => !f.advanced).map((f) => f.key);

  it("gives a new user a short form for the chat model and the model-serving block", () => {
    expect(mainKeys("model.openai")).toEqual(["baseUrl", "credentialId", "model"]);
    expect(fieldsOf("model.openai").filter((f) => f.advanced).map((f) => f.key)).toEqual(["temperature", "maxTokens"]);
    expect(mainKeys("model.endpoint")).toEqual(["model", "runtime", "gpu", "mode", "durationHours", "env"]);
    expect(fieldsOf("model.endpoint")).toHaveLength(15);
  });

  it("shows a field only while its condition holds, or while its value is wrong", () => {
    const field = (type: string, key: string) => fieldsOf(type).find((f) => f.key === key)!;
    const authHeader = field("tool.http", "authHeader");
    expect(fieldShown(authHeader, { credentialId: null }, false)).toBe(false);
    expect(fieldShown(authHeader, { credentialId: "" }, false)).toBe(false);
    expect(fieldShown(authHeader, { credentialId: "cred_1" }, false)).toBe(true);
    expect(fieldShown(authHeader, { credentialId: null }, true)).toBe(true);

    const replicas = field("model.endpoint", "replicas");
    expect(fieldShown(replicas, { mode: "provider" }, false)).toBe(true);
    expect(fieldShown(replicas, { mode: "fizz" }, false)).toBe(false);
    const gpuCount = field("workload.container", "gpuCount");
    expect(fieldShown(gpuCount, { gpu: "none" }, false)).toBe(false);
    expect(fieldShown(gpuCount, { gpu: "rtx-4090" }, false)).toBe(true);
    expect(fieldShown(field("tool.http", "url"), {}, false)).toBe(true);
  });

  it("a misspelt declaration does not compile (checked by the typecheck)", () => {
    // @ts-expect-error: the only section is "advanced".
    z.string().meta({ section: "advnced" });
    // @ts-expect-error: a condition is `is: "set"`, `equals` or `notEquals`.
    z.string().meta({ showWhen: { field: "credentialId", is: "on" } });
    // @ts-expect-error: "provider-models" is the one source of options loaded on demand.
    z.string().meta({ options: { load: "models", baseUrl: "baseUrl", credential: "credentialId" } });
  });

  it("every condition and options source names a field of the same block", () => {
    for (const block of BLOCKS) {
      const fields = configFields(block.config);
      const keys = new Set(fields.map((f) => f.key));
      for (const f of fields) {
        if (f.showWhen) expect(keys.has(f.showWhen.field), `${block.type}.${f.key} showWhen`).toBe(true);
        if (f.optionsSource) {
          expect(keys.has(f.optionsSource.baseUrl), `${block.type}.${f.key} options`).toBe(true);
          expect(keys.has(f.optionsSource.credential), `${block.type}.${f.key} options`).toBe(true);
        }
      }
    }
  });
});
