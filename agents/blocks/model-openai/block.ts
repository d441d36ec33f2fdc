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
      .refine((v) => v === "" || isHttpUrl(v), "Enter an http(s) URL, or leave it empty to use the credential's")
      .default("")
      .meta({
        title: "Provider",
        widget: "provider-url",
        help:
          "Which company or server runs the model. Each preset fills in its OpenAI-compatible address (base URL). " +
          "Skyloom endpoints (models you deploy on the marketplace) come with deployed endpoints.",
      }),
    credentialId: z
      .string()
      .max(64)
      .nullable()
      .default(null)
      .meta({ title: "API key", description: "A saved credential; never shown here.", widget: "secret" }),
    model: z
      .string()
      .min(1, "Name the model, e.g. gpt-4o-mini")
      .max(200)
      .default("skyloom-dev")
      .meta({
        title: "Model",
        options: { load: "provider-models", baseUrl: "baseUrl", credential: "credentialId" },
        help: "The provider's name for the model, e.g. gpt-4o-mini. Open the list to see what the provider offers with this key.",
      }),
    temperature: z
      .number()
      .min(0, "Temperature is between 0 and 2")
      .max(2, "Temperature is between 0 and 2")
      .default(0.7)
      .meta({ title: "Temperature", section: "advanced", help: "How varied the answers are: 0 gives nearly the same answer each time, 1 and above more varied ones." }),
    maxTokens: z
      .number()
      .int("Max tokens is a whole number")
      .min(1, "Max tokens is at least 1")
      .max(200_000)
      .default(1024)
      .meta({ title: "Max tokens", section: "advanced", help: "The longest answer the model may write, in tokens (a token is about 4 characters of English)." }),
  }),
});
