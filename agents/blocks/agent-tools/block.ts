import { z } from "zod";
import type { PortSpec } from "../../graph/ports";
import { defineBlock } from "../define-block";
import { escapeTemplate, templateVariables, variablePorts } from "../prompt-template/block";

// Literal (as const) so the Agent's runner gets these inputs typed; the {variables} add text inputs.
const AGENT_INPUTS = [
  { id: "prompt", label: "Task", type: "text", required: true },
  { id: "model", label: "Model", type: "chat-model", required: true },
  { id: "tools", label: "Tools", type: "tool", multiple: true },
  { id: "memory", label: "Memory", type: "memory" },
] as const satisfies readonly PortSpec[];
const TAKEN_PORT_IDS = new Set<string>(AGENT_INPUTS.map((p) => p.id));

/**
 * A tool-calling agent: asks the model, runs the tools it calls, repeats until it answers.
 * Its instructions are a template like the Prompt block's: each `{name}` becomes an input.
 */
export const agentToolsBlock = defineBlock({
  type: "agent.tools",
  // 2: the instructions became a template ({name} is an input); version 1 text is escaped.
  version: 2,
  title: "Agent",
  category: "Agents",
  part: "agent",
  description: "Answers with a chat model that can call tools, step by step.",
  icon: "bot-message-square",
  inputs: (config) => [...AGENT_INPUTS, ...variablePorts(config.systemPrompt).filter((p) => !TAKEN_PORT_IDS.has(p.id))],
  outputs: [{ id: "text", label: "Answer", type: "text" }],
  config: z.object({
    systemPrompt: z
      .string()
      .max(20_000, "The instructions are at most 20,000 characters")
      .superRefine((text, ctx) => {
        for (const name of templateVariables(text).filter((v) => TAKEN_PORT_IDS.has(v))) {
          ctx.addIssue({
            code: "custom",
            message: `Rename {${name}}: the Agent already has an input called "${name}" (write {{${name}}} to keep the braces as text).`,
          });
        }
      })
      .default("You are a helpful assistant. Use the tools when they help answer.")
      .meta({
        title: "Instructions",
        description: "The system message the agent follows. Use {name} for a value from an input; {{ and }} for literal braces.",
        widget: "prompt",
      }),
    maxIterations: z
      .number()
      .int("Max iterations is a whole number")
      .min(1, "Allow at least 1 iteration")
      .max(50, "At most 50 iterations")
      .default(6)
      .meta({ title: "Max iterations", description: "Model calls before the agent gives up." }),
  }),
  migrate: {
    // Version 1 sent the instructions as written; escaping keeps them saying exactly that.
    1: (config) => {
      const c = (config ?? {}) as Record<string, unknown>;
      return typeof c.systemPrompt === "string" ? { ...c, systemPrompt: escapeTemplate(c.systemPrompt) } : c;
    },
  },
});
