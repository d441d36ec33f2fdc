import { z } from "zod";
import { defineBlock } from "../define-block";

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * Any OpenAI-compatible chat API (OpenAI, Ollama, vLLM, a deployed endpoint). The base URL is
 * the block's, else its credential's, else OpenAI's when a credential is chosen; with neither,
 * Skyloom's default model answers (the local development model unless the operator set
 * OPENAI_API_KEY), so a new flow runs with nothing to set up. See chatModelBaseUrl.
 */
export const modelOpenAiBlock = defineBlock({
  type: "model.openai",
  version: 1,
  title: "Chat Model",
  category: "Models",
  part: "agent",
  description: "Answers a prompt with any OpenAI-compatible chat model.",
  icon: "bot",
  inputs: [
    // Optional: a model that only feeds an Agent (through its "Model" output) needs no prompt.
    { id: "prompt", label: "Prompt", type: "text" },
    { id: "system", label: "System message", type: "text" },
    { id: "memory", label: "Memory", type: "memory" },
  ],
  outputs: [
    { id: "text", label: "Response", type: "text" },
    { id: "model", label: "Model", type: "chat-model" },
  ],
  config: z.object({
    baseUrl: z
      .string()
      .max(2_000)
      .refine((v) => v === "" || isHttpUrl(v), "Enter an http(s) URL, or leave it empty for the local development model")
      .default("")
      .meta({ title: "Base URL", description: "e.g. https://api.openai.com/v1; empty uses the local development model." }),
    model: z
      .string()
      .min(1, "Name the model, e.g. gpt-4o-mini")
      .max(200)
      .default("skyloom-dev")
      .meta({ title: "Model name" }),
    credentialId: z
      .string()
      .max(64)
      .nullable()
      .default(null)
      .meta({ title: "API key", description: "A saved credential; never shown here.", widget: "secret" }),
    temperature: z
      .number()
      .min(0, "Temperature is between 0 and 2")
      .max(2, "Temperature is between 0 and 2")
      .default(0.7)
      .meta({ title: "Temperature" }),
    maxTokens: z
      .number()
      .int("Max tokens is a whole number")
      .min(1, "Max tokens is at least 1")
      .max(200_000)
      .default(1024)
      .meta({ title: "Max tokens" }),
  }),
});
