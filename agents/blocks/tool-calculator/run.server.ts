import { z } from "zod";
import { implement } from "../../runtime/implement";
import { langChainTool } from "../../runtime/langchain.server";
import type { ToolValue } from "../../runtime/values";
import { toolCalculatorBlock } from "./block";
import { evaluateExpression } from "./evaluate";

export const toolCalculatorRunner = implement(toolCalculatorBlock, async ({ config }) => {
  const tool = await langChainTool();
  const calculator = tool(async ({ expression }: { expression: string }) => String(evaluateExpression(expression)), {
    name: config.name,
    description: config.description,
    schema: z.object({ expression: z.string().describe("The arithmetic expression, e.g. (3 + 4) * 2") }),
  });
  const value: ToolValue = { kind: "tool", tool: calculator, trace: { name: config.name, description: config.description } };
  return { tool: value };
});
