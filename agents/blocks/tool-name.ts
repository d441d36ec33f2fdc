import { z } from "zod";

/** A tool's name as the model sees it: OpenAI allows letters, digits, _ and -, up to 64. */
export const toolNameSchema = (fallback: string) =>
  z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, "Use letters, digits, _ or - (at most 64), e.g. get_weather")
    .default(fallback)
    .meta({ title: "Tool name", description: "How the agent calls this tool." });

export const toolDescriptionSchema = (fallback: string) =>
  z
    .string()
    .min(1, "Describe what the tool does, so the agent knows when to use it")
    .max(1_000)
    .default(fallback)
    .meta({ title: "Description", description: "Tells the agent when to use this tool." });
