import { z } from "zod";
import type { PortSpec } from "../../graph/ports";
import { defineBlock } from "../define-block";

export const OTHERWISE = "otherwise";

function isValidRegex(value: string): boolean {
  try {
    new RegExp(value, "i");
    return true;
  } catch {
    return false;
  }
}

const RouteSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/, "A route name is lowercase letters, digits, _ or - (starting with a letter)")
      .refine((n) => n !== OTHERWISE, `"${OTHERWISE}" is the built-in fallback route`),
    operator: z.enum(["contains", "equals", "starts-with", "matches"]).default("contains"),
    value: z.string().max(1_000).default(""),
    description: z.string().max(500).default(""),
  })
  .refine((r) => r.operator !== "matches" || isValidRegex(r.value), { message: "Not a valid regular expression", path: ["value"] });

/**
 * Sends the input down one branch: the first route whose condition matches, or the one a chat
 * model picks. Every other branch is skipped; "otherwise" catches the rest.
 */
export const logicRouterBlock = defineBlock({
  type: "logic.router",
  version: 1,
  title: "Router",
  category: "Logic",
  part: "agent",
  description: "Routes the message to one branch, by a condition or by a model's choice.",
  icon: "split",
  inputs: [
    { id: "input", label: "Input", type: "text", required: true },
    { id: "model", label: "Model (for model routing)", type: "chat-model" },
  ],
  outputs: (config): PortSpec[] => [
    ...config.routes.map((r) => ({ id: r.name, label: r.name, type: "text" as const })),
    { id: OTHERWISE, label: "Otherwise", type: "text" },
  ],
  config: z.object({
    mode: z
      .enum(["condition", "model"])
      .default("condition")
      .meta({ title: "Decide by", description: "condition: the first matching route; model: a chat model picks using the descriptions." }),
    routes: z
      .array(RouteSchema)
      .max(10, "At most 10 routes")
      .refine((rs) => new Set(rs.map((r) => r.name)).size === rs.length, "Route names must be unique")
      .default([{ name: "question", operator: "contains", value: "?", description: "The message asks a question." }])
      .meta({ title: "Routes" }),
  }),
});
