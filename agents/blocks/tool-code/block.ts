import { z } from "zod";
import { defineBlock } from "../define-block";
import { toolDescriptionSchema, toolNameSchema } from "../tool-name";

function isObjectSchemaText(text: string): boolean {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) && (value as { type?: unknown }).type === "object";
  } catch {
    return false;
  }
}

/**
 * JavaScript an agent can call, run in a QuickJS WebAssembly sandbox: no require, no process,
 * no network, no files; bounded memory and time; the return value must be JSON.
 */
export const toolCodeBlock = defineBlock({
  type: "tool.code",
  version: 1,
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
    inputSchema: z
      .string()
      .max(20_000)
      .refine(isObjectSchemaText, 'Write a JSON Schema with "type": "object"')
      .default('{"type":"object","properties":{"value":{"type":"number"}},"required":["value"]}')
      .meta({ title: "Arguments (JSON Schema)", widget: "json" }),
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
});
