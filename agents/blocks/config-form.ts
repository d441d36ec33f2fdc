/**
 * The config form a block declares through its zod schema's `.meta({ ... })`, typed: zod's
 * GlobalMeta is widened here, so a misspelt widget, section or condition fails the typecheck.
 * The canvas (app/components/canvas/config-form) reads these from the JSON Schema of the config.
 */

/** The controls the canvas knows; without one, the form picks from the field's type. */
export type ConfigWidget =
  | "text" // one line
  | "textarea" // several lines
  | "prompt" // a template, with `{variable}` hints
  | "code" // monospace text
  | "number" // bounds from min/max
  | "toggle" // a boolean
  | "select" // an enum; `enumLabels` maps values to shown names
  | "secret" // a saved credential's id
  | "key-value" // a string → string record
  | "env" // environment variables, each plain text or a saved credential (kept out of manifests)
  | "list" // strings, one per line
  | "json" // any other value
  | "provider-url" // an OpenAI-compatible base URL picked from provider presets or typed
  | "model" // free text with a list loaded on demand (see `options`)
  | "knowledge-base"; // one of the team's knowledge bases (the id is stored)

/**
 * Shows a field only while a sibling field has a value: `is: "set"` (not empty, not null),
 * `equals` one value, or `notEquals` one. A hidden field keeps its value; one whose value is
 * wrong is shown anyway, so its error can be fixed.
 */
export type ShowWhen =
  | { field: string; is: "set" }
  | { field: string; equals: string | number | boolean }
  | { field: string; notEquals: string | number | boolean };

/**
 * Where a field's choices come from when they cannot be listed in the schema, loaded when the
 * list is opened. "provider-models": the provider's GET /models, asked by the server with the
 * credential; `baseUrl` and `credential` name the sibling fields holding them.
 */
export type OptionsSource = { load: "provider-models"; baseUrl: string; credential: string };

export type ConfigFieldMeta = {
  widget?: ConfigWidget;
  enumLabels?: Record<string, string>;
  /** A short explanation shown on hover beside the title, for words a new user may not know. */
  help?: string;
  /** "advanced": in the form's Advanced section, closed until opened; everything else is always shown. */
  section?: "advanced";
  showWhen?: ShowWhen;
  options?: OptionsSource;
};

declare module "zod" {
  // Merged into zod's metadata type: every `.meta()` call in the project is checked against it.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalMeta extends ConfigFieldMeta {}
}

/** Whether a field's showWhen holds for the form's current values. */
export function conditionHolds(when: ShowWhen, values: Readonly<Record<string, unknown>>): boolean {
  const value = values[when.field];
  if ("is" in when) return value !== undefined && value !== null && value !== "";
  if ("equals" in when) return value === when.equals;
  return value !== when.notEquals;
}
