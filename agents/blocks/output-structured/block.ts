import { z } from "zod";
import { defineBlock } from "../define-block";

function isObjectOrArraySchema(text: string): boolean {
  try {
    const value = JSON.parse(text) as { type?: unknown } | null;
    return typeof value === "object" && value !== null && (value.type === "object" || value.type === "array");
  } catch {
    return false;
  }
}

/** Turns text into JSON that matches a JSON Schema: parsed from the text, or extracted by a model. */
export const outputStructuredBlock = defineBlock({
  type: "output.structured",
  version: 1,
  title: "Structured Output",
  category: "Inputs & Outputs",
  part: "agent",
  description: "Produces JSON that matches a schema, validated before it leaves.",
  icon: "braces",
  inputs: [
    { id: "text", label: "Text", type: "text", required: true },
    { id: "model", label: "Model (to extract)", type: "chat-model" },
  ],
  outputs: [
    { id: "json", label: "JSON", type: "json" },
    { id: "text", label: "JSON text", type: "text" },
  ],
  config: z.object({
    schema: z
      .string()
      .max(50_000)
      .refine(isObjectOrArraySchema, 'Write a JSON Schema whose "type" is "object" or "array"')
      .default('{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}')
      .meta({ title: "JSON Schema", widget: "json" }),
  }),
});
