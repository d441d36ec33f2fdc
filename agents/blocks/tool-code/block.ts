import { z } from "zod";
import { defineBlock } from "../define-block";
import { jsonSchemaConfig, jsonSchemaFromText } from "../json-schema-config";
import { toolDescriptionSchema, toolNameSchema } from "../tool-name";

/**
 * JavaScript an agent can call, run in a QuickJS WebAssembly sandbox: no require, no process,
 * no network, no files; bounded memory and time; the return value must be JSON.
 */
export const toolCodeBlock = defineBlock({
  type: "tool.code",
  // 2: the arguments' JSON Schema is stored as an object, no longer as JSON text.
  version: 2,
  title: "Code Tool",
  category: "Tools",
  part: "agent",
  description: "A JavaScript function an agent can call, run in a sandbox.",
  icon: "code",
  inputs: [],
  outputs: [{ id: "tool", label: "Tool", type: "tool" }],
  config: z.object({
    name: toolNameSchema("run_code"),
    description: toolDescriptionSchema("Doubles a number."),
    inputSchema: jsonSchemaConfig({
      types: ["object"],
      maxChars: 20_000,
      fallback: { type: "object", properties: { value: { type: "number" } }, required: ["value"] },
      title: "Arguments (JSON Schema)",
      description: "The arguments the agent passes, as a JSON Schema; the code reads them from `input`.",
    }),
    code: z
      .string()
      .min(1, "Write the function body")
      .max(100_000, "Code is at most 100,000 characters")
      .default("return { doubled: input.value * 2 };")
      .meta({ title: "Code", description: "A function body; `input` holds the arguments; return a JSON value.", widget: "code" }),
    timeoutMs: z
      .number()
      .int()
      .min(10, "Allow at least 10 ms")
      .max(2_000, "At most 2,000 ms")
      .default(500)
      .meta({ title: "Time limit (ms)" }),
    memoryMb: z
      .number()
      .int()
      .min(1, "Allow at least 1 MB")
      .max(64, "At most 64 MB")
      .default(16)
      .meta({ title: "Memory limit (MB)" }),
  }),
  migrate: {
    1: (config) => {
      const c = (config ?? {}) as Record<string, unknown>;
      return "inputSchema" in c ? { ...c, inputSchema: jsonSchemaFromText(c.inputSchema) } : c;
    },
  },
});
