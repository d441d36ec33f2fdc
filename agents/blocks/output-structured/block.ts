import { z } from "zod";
import { defineBlock } from "../define-block";
import { jsonSchemaConfig, jsonSchemaFromText } from "../json-schema-config";

/** Turns text into JSON that matches a JSON Schema: parsed from the text, or extracted by a model. */
export const outputStructuredBlock = defineBlock({
  type: "output.structured",
  // 2: the JSON Schema is stored as an object, no longer as JSON text.
  version: 2,
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
    schema: jsonSchemaConfig({
      types: ["object", "array"],
      maxChars: 50_000,
      fallback: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] },
      title: "JSON Schema",
    }),
  }),
  migrate: {
    1: (config) => {
      const c = (config ?? {}) as Record<string, unknown>;
      return "schema" in c ? { ...c, schema: jsonSchemaFromText(c.schema) } : c;
    },
  },
});
