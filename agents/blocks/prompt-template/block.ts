import { z } from "zod";
import type { PortSpec } from "../../graph/ports";
import { defineBlock } from "../define-block";

const VARIABLE = /\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;
const MAX_VARIABLES = 20;

/** The `{name}` variables of a template, in order of first use, without repeats. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  // `{{` and `}}` are literal braces, so they are removed before looking for variables.
  for (const match of template.replace(/\{\{|\}\}/g, "").matchAll(VARIABLE)) {
    names.add(match[1] as string);
    if (names.size >= MAX_VARIABLES) break;
  }
  return [...names];
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
  inputs: (config): PortSpec[] =>
    templateVariables(config.template).map((name) => ({ id: name, label: name, type: "text", required: true })),
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
