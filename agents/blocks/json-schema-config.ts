import { z } from "zod";

type JsonSchemaObject = Record<string, unknown>;

/**
 * A JSON Schema in a block's config, stored as the JSON object itself: the config form's JSON
 * box shows it formatted and stores what is pasted there once it parses. (It used to be stored
 * as JSON text, which the JSON box then showed, and refused, as a quoted string.)
 */
export function jsonSchemaConfig(options: { types: readonly string[]; maxChars: number; fallback: JsonSchemaObject; title: string; description?: string }) {
  const typeList = options.types.map((t) => `"${t}"`).join(" or ");
  return z
    .record(z.string(), z.unknown(), { error: `Paste a JSON Schema object, e.g. {"type": "${options.types[0]}", "properties": {…}}` })
    .superRefine((schema, ctx) => {
      if (typeof schema.type !== "string" || !options.types.includes(schema.type)) {
        ctx.addIssue({ code: "custom", message: `Write a JSON Schema whose "type" is ${typeList}` });
      }
      if (schema.properties !== undefined && (typeof schema.properties !== "object" || schema.properties === null || Array.isArray(schema.properties))) {
        ctx.addIssue({ code: "custom", message: `"properties" maps each field name to its schema, e.g. {"city": {"type": "string"}}` });
      }
      if (JSON.stringify(schema).length > options.maxChars) {
        ctx.addIssue({ code: "custom", message: `The schema is at most ${options.maxChars.toLocaleString("en-US")} characters` });
      }
    })
    .default(options.fallback)
    .meta({ title: options.title, widget: "json", ...(options.description ? { description: options.description } : {}) });
}

/**
 * Migration from the text form: JSON text becomes the object it holds. Text that does not
 * parse is kept, so the form reports it instead of the upgrade losing it.
 */
export function jsonSchemaFromText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
