import { BlockRunError } from "../../runtime/context";
import { implement } from "../../runtime/implement";
import { promptTemplateBlock } from "./block";

/**
 * Fills `{name}` from the inputs; `{{` and `}}` stay as literal braces. `usedIn` names the
 * template in the error for a variable nothing reached.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, unknown>>, usedIn = "The prompt uses"): string {
  return template.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g, (match, name: string | undefined) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    const value = values[name as string];
    if (value === undefined || value === null) {
      throw new BlockRunError(`${usedIn} {${name}}, but nothing reached its "${name}" input; connect a block to it.`);
    }
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}

export const promptTemplateRunner = implement(promptTemplateBlock, async ({ config, inputsById }) => ({
  prompt: renderTemplate(config.template, inputsById),
}));
