import { z } from "zod";
import { defineBlock } from "../define-block";
import { toolDescriptionSchema, toolNameSchema } from "../tool-name";

/** Exact arithmetic for an agent (models are bad at it). */
export const toolCalculatorBlock = defineBlock({
  type: "tool.calculator",
  version: 1,
  title: "Calculator",
  category: "Tools",
  part: "agent",
  description: "Lets an agent evaluate arithmetic like 12 * (3 + 4) ^ 2.",
  icon: "calculator",
  inputs: [],
  outputs: [{ id: "tool", label: "Tool", type: "tool" }],
  config: z.object({
    name: toolNameSchema("calculator"),
    description: toolDescriptionSchema(
      "Evaluates an arithmetic expression (+ - * / % ^, parentheses, sqrt, abs, round, floor, ceil, min, max, log, exp, sin, cos, tan, pi, e).",
    ),
  }),
});
