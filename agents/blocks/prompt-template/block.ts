import { z } from "zod";
import type { PortSpec } from "../../graph/ports";
import { defineBlock } from "../define-block";

/** The tokens of a template, read left to right: `{{`, `}}` (literal braces) or a `{name}` variable. */
const TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;
const MAX_VARIABLES = 20;

/** The `{name}` variables of a template, in order of first use, without repeats. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  // Read with the same tokens the renderer uses, so `{{x}}` is text and `{{{x}}}` holds {x}.
  for (const match of template.matchAll(TOKEN)) {
    if (match[1] === undefined) continue;
    names.add(match[1]);
    if (names.size >= MAX_VARIABLES) break;
  }
  return [...names];
}

/**
 * A text that reads the same once it is treated as a template: `{name}` becomes `{{name}}`,
 * `{{` and `}}` are doubled, so rendering it gives the text back and it has no variables.
 * For upgrading a plain text field into a template field without changing what it says.
 */
export function escapeTemplate(text: string): string {
  return text.replace(TOKEN, (match) => (match === "{{" || match === "}}" ? match + match : `{${match}}`));
}

/** The input ports of a template's variables: one required text input per `{name}`. */
export function variablePorts(template: string): PortSpec[] {
  return templateVariables(template).map((name) => ({ id: name, label: name, type: "text", required: true }));
}

/** A text with `{variables}`; each variable becomes an input port. */
export const promptTemplateBlock = defineBlock({
  type: "prompt.template",
  version: 1,
  title: "Prompt",
  category: "Prompts",
  part: "agent",
  description: "Writes a prompt from a template; each {variable} becomes an input.",
  icon: "file-text",
  inputs: (config): PortSpec[] => variablePorts(config.template),
  outputs: [{ id: "prompt", label: "Prompt", type: "text" }],
  config: z.object({
    template: z
      .string()
      .min(1, "Write the prompt template")
      .max(100_000, "A template is at most 100,000 characters")
      .default("Answer the question helpfully.\n\nQuestion: {input}")
      .meta({ title: "Template", description: "Use {name} for a value from an input; {{ and }} for literal braces.", widget: "prompt" }),
  }),
});
