import type { BaseMessage } from "@langchain/core/messages";
import { BlockRunError, NodeFault } from "../../runtime/context";
import { implement } from "../../runtime/implement";
import { langChainMessages } from "../../runtime/langchain.server";
import { messageText, callChatModel, toLangChain } from "../../runtime/llm.server";
import type { ToolValue } from "../../runtime/values";
import { renderTemplate } from "../prompt-template/run.server";
import { agentToolsBlock } from "./block";

const MAX_TOOL_RESULT_CHARS = 20_000;

const capped = (text: string) => (text.length > MAX_TOOL_RESULT_CHARS ? `${text.slice(0, MAX_TOOL_RESULT_CHARS)}… (cut at ${MAX_TOOL_RESULT_CHARS} characters)` : text);

/**
 * The tool-calling loop: ask the model (streamed), run every tool it calls, feed the results
 * back, and repeat until it answers without calling a tool or the iteration limit is hit.
 * A failing tool is reported to the model as its result, so the model can recover; the call
 * and its outcome go to the run's events (ctx.toolCall), which mark the tool's block.
 * A failing model call is the Chat Model's fault, not the Agent's: it is thrown as a NodeFault
 * naming the model's node.
 */
export const agentToolsRunner = implement(agentToolsBlock, async ({ config, inputs, inputsById, ctx }) => {
  const task = inputs.prompt;
  // `{name}` in the instructions is filled from the input of that name, as in a Prompt block.
  const instructions = renderTemplate(config.systemPrompt, inputsById, "The Agent's instructions use");
  const modelValue = inputs.model;
  const tools = inputs.tools;
  const byName = new Map<string, ToolValue>();
  for (const t of tools) {
    if (byName.has(t.tool.name)) throw new BlockRunError(`Two tools are named "${t.tool.name}"; give each tool its own name.`);
    byName.set(t.tool.name, t);
  }
  const memory = inputs.memory;

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
  for (let iteration = 1; iteration <= config.maxIterations; iteration++) {
    if (iteration > 1) ctx.step();
    let answer: Awaited<ReturnType<typeof callChatModel>>;
    try {
      answer = await callChatModel(model, messages, ctx, modelValue.trace);
    } catch (error) {
      const source = modelValue.source;
      if (ctx.signal.aborted || !source || !(error instanceof BlockRunError)) throw error;
      throw new NodeFault(error.message, source.nodeId);
    }
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
    for (const [index, call] of toolCalls.entries()) {
      const callId = call.id ?? `${call.name}-${iteration}-${index}`;
      const tool = byName.get(call.name);
      const ended = ctx.toolCall({ callId, tool: call.name, toolNodeId: tool?.source?.nodeId ?? null, iteration, args: call.args });
      let result: string;
      if (!tool) {
        const error = `There is no tool named "${call.name}". Available: ${[...byName.keys()].join(", ") || "none"}.`;
        ended({ ok: false, error });
        result = error;
      } else {
        try {
          const raw: unknown = await tool.tool.invoke(call.args, { signal: ctx.signal });
          result = capped(typeof raw === "string" ? raw : JSON.stringify(raw));
          ended({ ok: true, result });
        } catch (error) {
          const message = capped(error instanceof Error ? error.message : String(error));
          ended({ ok: false, error: message });
          if (ctx.signal.aborted) throw error;
          result = `Error: ${message}`;
        }
      }
      messages.push(new ToolMessage({ content: result, tool_call_id: callId, name: call.name }));
    }
  }
  throw new BlockRunError(
    `The agent was still calling tools after ${config.maxIterations} iterations; raise "Max iterations" or give clearer instructions.`,
  );
});
