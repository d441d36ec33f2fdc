import { z } from "zod";
import { conditionHolds, type ConfigWidget, type OptionsSource, type ShowWhen } from "#agents/blocks/config-form";

/**
 * Turns a block's zod config schema into the list of fields the config panel draws. The
 * schema is converted once per block (zod 4's JSON Schema, input side, so defaults make a
 * field optional) and its `.meta(...)` (typed in agents/blocks/config-form.ts) decides the
 * control, the section, a condition on another field and where choices are loaded from.
 */
export type FieldWidget = ConfigWidget;

export type ConfigField = {
  key: string;
  title: string;
  description?: string;
  widget: FieldWidget;
  required: boolean;
  nullable: boolean;
  defaultValue: unknown;
  integer?: boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  /** An enum's choices. */
  options?: { value: string; label: string }[];
  /** A short explanation shown on hover beside the title (`.meta({ help })`). */
  help?: string;
  /** In the form's Advanced section, closed until opened. */
  advanced: boolean;
  /** Shown only while this holds (see fieldShown). */
  showWhen?: ShowWhen;
  /** Where choices are loaded from when the list opens (the "model" widget). */
  optionsSource?: OptionsSource;
};

type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  widget?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  maxLength?: number;
  enumLabels?: Record<string, string>;
  help?: string;
  section?: string;
  showWhen?: ShowWhen;
  options?: OptionsSource;
};

const KNOWN_WIDGETS = new Set<string>([
  "text",
  "textarea",
  "prompt",
  "code",
  "number",
  "toggle",
  "select",
  "secret",
  "key-value",
  "env",
  "list",
  "json",
  "provider-url",
  "model",
  "knowledge-base",
]);

function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

/** `X | null` comes out as anyOf [X, {type:"null"}]; the field is X with a "none" choice. */
function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    const nonNull = variants.filter((v) => v.type !== "null");
    if (nonNull.length === 1 && nonNull.length < variants.length) {
      return { schema: { ...nonNull[0], ...pickMeta(schema) }, nullable: true };
    }
    if (variants.every((v) => v.const !== undefined)) {
      return { schema: { ...schema, enum: variants.map((v) => v.const) }, nullable: false };
    }
  }
  if (Array.isArray(schema.type) && schema.type.includes("null")) {
    const rest = schema.type.filter((t) => t !== "null");
    return { schema: { ...schema, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  return { schema, nullable: false };
}

function pickMeta(schema: JsonSchema): Partial<JsonSchema> {
  const out: Partial<JsonSchema> = {};
  for (const k of ["title", "description", "widget", "default", "enumLabels", "help", "section", "showWhen", "options"] as const) {
    if (schema[k] !== undefined) (out as Record<string, unknown>)[k] = schema[k];
  }
  return out;
}

function chooseWidget(schema: JsonSchema): FieldWidget {
  if (schema.widget && KNOWN_WIDGETS.has(schema.widget)) return schema.widget as FieldWidget;
  // Choices loaded on demand: free text with a list that opens.
  if (schema.options?.load === "provider-models") return "model";
  if (schema.enum) return "select";
  switch (schema.type) {
    case "boolean":
      return "toggle";
    case "number":
    case "integer":
      return "number";
    case "string":
      return (schema.maxLength ?? 0) > 2_000 ? "textarea" : "text";
    case "object":
      if (typeof schema.additionalProperties === "object" && schema.additionalProperties.type === "string" && !schema.properties) {
        return "key-value";
      }
      return "json";
    case "array":
      return schema.items?.type === "string" && !schema.items.enum ? "list" : "json";
    default:
      return "json";
  }
}

const fieldCache = new WeakMap<z.ZodType, ConfigField[]>();
const titleCache = new WeakMap<z.ZodType, Map<string, string>>();

export function configFields(schema: z.ZodType): ConfigField[] {
  const cached = fieldCache.get(schema);
  if (cached) return cached;
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  } catch {
    json = {};
  }
  const required = new Set(json.required ?? []);
  const fields: ConfigField[] = Object.entries(json.properties ?? {}).map(([key, raw]) => {
    const { schema: s, nullable } = unwrapNullable(raw);
    const widget = chooseWidget(s);
    const field: ConfigField = {
      key,
      title: s.title ?? humanize(key),
      widget,
      required: required.has(key),
      nullable,
      defaultValue: s.default ?? raw.default,
      advanced: s.section === "advanced",
    };
    if (s.description) field.description = s.description;
    if (s.help) field.help = s.help;
    if (s.showWhen) field.showWhen = s.showWhen;
    if (s.options) field.optionsSource = s.options;
    if (s.type === "integer") field.integer = true;
    const min = s.minimum ?? s.exclusiveMinimum;
    const max = s.maximum ?? s.exclusiveMaximum;
    // z.int() reports the safe-integer range as its bounds; that is no limit worth showing.
    if (min !== undefined && Math.abs(min) < Number.MAX_SAFE_INTEGER) field.minimum = min;
    if (max !== undefined && Math.abs(max) < Number.MAX_SAFE_INTEGER) field.maximum = max;
    if (s.maxLength !== undefined) field.maxLength = s.maxLength;
    if (s.enum) {
      field.options = s.enum.map((v) => ({ value: String(v), label: s.enumLabels?.[String(v)] ?? String(v) }));
    }
    return field;
  });
  fieldCache.set(schema, fields);
  titleCache.set(schema, new Map(fields.map((f) => [f.key, f.title])));
  return fields;
}

export function fieldTitle(schema: z.ZodType, path: string): string | undefined {
  if (!titleCache.has(schema)) configFields(schema);
  return titleCache.get(schema)?.get(path.split(".")[0] ?? "");
}

/**
 * Whether the form shows a field: its condition holds, or its value is wrong (an error the
 * person must be able to see and fix even while the condition does not hold).
 */
export function fieldShown(field: ConfigField, values: Readonly<Record<string, unknown>>, hasError: boolean): boolean {
  return hasError || field.showWhen === undefined || conditionHolds(field.showWhen, values);
}
