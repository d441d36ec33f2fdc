import { z } from "zod";
import { defineBlock } from "../define-block";

/** A tool-calling agent: asks the model, runs the tools it calls, repeats until it answers. */
export const agentToolsBlock = defineBlock({
  type: "agent.tools",
  version: 1,
  title: "Agent",
  category: "Agents",
  part: "agent",
  description: "Answers with a chat model that can call tools, step by step.",
  icon: "bot-message-square",
  inputs: [
    { id: "prompt", label: "Task", type: "text", required: true },
    { id: "model", label: "Model", type: "chat-model", required: true },
    { id: "tools", label: "Tools", type: "tool", multiple: true },
    { id: "memory", label: "Memory", type: "memory" },
  ],
  outputs: [{ id: "text", label: "Answer", type: "text" }],
  config: z.object({
    systemPrompt: z
      .string()
      .max(20_000, "The instructions are at most 20,000 characters")
      .default("You are a helpful assistant. Use the tools when they help answer.")
      .meta({ title: "Instructions", description: "The system message the agent follows.", widget: "prompt" }),
    maxIterations: z
      .number()
      .int("Max iterations is a whole number")
      .min(1, "Allow at least 1 iteration")
      .max(50, "At most 50 iterations")
      .default(6)
      .meta({ title: "Max iterations", description: "Model calls before the agent gives up." }),
  }),
});
