import { implement } from "../../runtime/implement";
import { langChainTool } from "../../runtime/langchain.server";
import type { ToolValue } from "../../runtime/values";
import { toolCodeBlock } from "./block";
import { runInSandbox } from "./sandbox.server";

export const toolCodeRunner = implement(toolCodeBlock, async ({ config }) => {
  const limits = { timeoutMs: config.timeoutMs, memoryBytes: config.memoryMb * 1024 * 1024 };
  const tool = await langChainTool();
  const codeTool = tool(async (args: unknown) => JSON.stringify(await runInSandbox(config.code, args, limits)), {
    name: config.name,
    description: config.description,
    schema: config.inputSchema,
  });
  const value: ToolValue = { kind: "tool", tool: codeTool, trace: { name: config.name, description: config.description } };
  return { tool: value };
});
