import type { BaseMessage } from "@langchain/core/messages";
import { BlockRunError } from "../../runtime/context";
import { implement, textInput } from "../../runtime/implement";
import { langChainMessages } from "../../runtime/langchain.server";
import { messageText, callChatModel, toLangChain } from "../../runtime/llm.server";
import { isChatModel, isMemory, isTool, type ToolValue } from "../../runtime/values";
import { renderTemplate } from "../prompt-template/run.server";
import { agentToolsBlock } from "./block";

const MAX_TOOL_RESULT_CHARS = 20_000;

type ToolCallTrace = { iteration: number; tool: string; args: unknown; result: string; error?: boolean };

/**
 * The tool-calling loop: ask the model (streamed), run every tool it calls, feed the results
 * back, and repeat until it answers without calling a tool or the iteration limit is hit.
 * A failing tool is reported to the model as its result, so the model can recover.
 */
export const agentToolsRunner = implement(agentToolsBlock, async ({ config, inputs, ctx }) => {
  const task = textInput(inputs, "prompt", "Task");
  // `{name}` in the instructions is filled from the input of that name, as in a Prompt block.
  const instructions = renderTemplate(config.systemPrompt, inputs, "The Agent's instructions use");
  const modelValue = inputs.model;
  if (!isChatModel(modelValue)) throw new BlockRunError('Connect a chat model to the Agent\'s "Model" input.');
  const tools = ((inputs.tools as unknown[] | undefined) ?? []).filter(isTool);
  const byName = new Map<string, ToolValue>();
  for (const t of tools) {
    if (byName.has(t.tool.name)) throw new BlockRunError(`Two tools are named "${t.tool.name}"; give each tool its own name.`);
    byName.set(t.tool.name, t);
  }
  const memory = isMemory(inputs.memory) ? inputs.memory : undefined;

  const base = modelValue.model;
  let model = base;
  if (tools.length > 0) {
    if (!base.bindTools) throw new BlockRunError(`The model "${modelValue.trace.model}" cannot call tools.`);
    model = base.bindTools(tools.map((t) => t.tool)) as typeof base;
  }

  const { HumanMessage, SystemMessage, ToolMessage } = await langChainMessages();
  const messages: BaseMessage[] = [
    ...(instructions ? [new SystemMessage(instructions)] : []),
    ...(memory ? await toLangChain(await memory.load()) : []),
    new HumanMessage(task),
  ];
  const calls: ToolCallTrace[] = [];
  ctx.addDetail("toolCalls", calls);

  for (let iteration = 1; iteration <= config.maxIterations; iteration++) {
    if (iteration > 1) ctx.step();
    const answer = await callChatModel(model, messages, ctx, modelValue.trace.model);
    messages.push(answer);
    const toolCalls = answer.tool_calls ?? [];
    if (toolCalls.length === 0) {
      const text = messageText(answer);
      ctx.addDetail("iterations", iteration);
      if (memory) {
        await memory.append([
          { role: "user", content: task },
          { role: "assistant", content: text },
        ]);
      }
      return { text };
    }
    for (const call of toolCalls) {
      const tool = byName.get(call.name);
      let result: string;
      let failed = false;
      if (!tool) {
        result = `There is no tool named "${call.name}". Available: ${[...byName.keys()].join(", ") || "none"}.`;
        failed = true;
      } else {
        try {
          const raw: unknown = await tool.tool.invoke(call.args, { signal: ctx.signal });
          result = typeof raw === "string" ? raw : JSON.stringify(raw);
        } catch (error) {
          if (ctx.signal.aborted) throw error;
          result = `Error: ${error instanceof Error ? error.message : String(error)}`;
          failed = true;
        }
      }
      if (result.length > MAX_TOOL_RESULT_CHARS) result = `${result.slice(0, MAX_TOOL_RESULT_CHARS)}… (cut at ${MAX_TOOL_RESULT_CHARS} characters)`;
      calls.push({ iteration, tool: call.name, args: call.args, result, ...(failed ? { error: true } : {}) });
      messages.push(new ToolMessage({ content: result, tool_call_id: call.id ?? `${call.name}-${iteration}`, name: call.name }));
    }
  }
  throw new BlockRunError(
    `The agent was still calling tools after ${config.maxIterations} iterations; raise "Max iterations" or give clearer instructions.`,
  );
});
