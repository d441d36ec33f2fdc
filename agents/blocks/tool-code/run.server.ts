import { implement } from "../../runtime/implement";
import { langChainTool } from "../../runtime/langchain.server";
import type { ToolValue } from "../../runtime/values";
import { toolCodeBlock } from "./block";

/**
 * The code tool hands every call to the run's sandbox (on the server, a pool of worker
 * threads), never evaluating the code on the thread that serves requests.
 */
export const toolCodeRunner = implement(toolCodeBlock, async ({ config, ctx }) => {
  const limits = { timeoutMs: config.timeoutMs, memoryBytes: config.memoryMb * 1024 * 1024 };
  const tool = await langChainTool();
  const codeTool = tool(
    async (args: unknown, runConfig) =>
      ctx.sandbox.run({ toolName: config.name, code: config.code, input: args, limits, signal: runConfig?.signal ?? ctx.signal }),
    { name: config.name, description: config.description, schema: config.inputSchema },
  );
  const value: ToolValue = { kind: "tool", tool: codeTool, trace: { name: config.name, description: config.description } };
  return { tool: value };
});
