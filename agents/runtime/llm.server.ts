import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type AIMessageChunk, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { BlockRunError, type NodeContext } from "./context";
import type { ChatMessage } from "./values";

/** Memory messages → LangChain messages (tool results are kept as plain assistant notes). */
export function toLangChain(messages: readonly ChatMessage[]): BaseMessage[] {
  return messages.map((m) => {
    switch (m.role) {
      case "user":
        return new HumanMessage(m.content);
      case "system":
        return new SystemMessage(m.content);
      default:
        return new AIMessage(m.content);
    }
  });
}

export function messageText(message: BaseMessage): string {
  const content = message.content;
  if (typeof content === "string") return content;
  return content.map((part) => (typeof part === "object" && "text" in part && typeof part.text === "string" ? part.text : "")).join("");
}

/** Makes errors from the model API read as what they are, for the trace and the chat. */
export function modelError(error: unknown, modelName: string): Error {
  if (error instanceof BlockRunError) return error;
  if (error instanceof Error && (error.name === "AbortError" || /abort/i.test(error.message))) return error;
  const status = typeof error === "object" && error !== null && "status" in error ? (error as { status?: unknown }).status : undefined;
  // SDKs wrap network failures ("Connection error."); the cause says what really happened,
  // e.g. the SSRF guard refusing the address.
  let text = error instanceof Error ? error.message : String(error);
  for (let cause = (error as { cause?: unknown })?.cause, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    text = `${text} ${cause.message}`;
  }
  if (typeof status === "number") return new BlockRunError(`The model API answered ${status} for "${modelName}": ${text}`);
  return new BlockRunError(`Calling "${modelName}" failed: ${text}`);
}

type StreamingModel = BaseChatModel | Runnable<BaseMessage[], AIMessageChunk>;

/**
 * Streams one model call: tokens go to the chat as they arrive, usage goes to the meter, and
 * the chunks are merged into the final message (tool calls included).
 */
export async function streamChat(model: StreamingModel, messages: BaseMessage[], ctx: NodeContext, modelName: string): Promise<AIMessageChunk> {
  let merged: AIMessageChunk | undefined;
  try {
    const stream = await (model as Runnable<BaseMessage[], AIMessageChunk>).stream(messages, { signal: ctx.signal });
    for await (const chunk of stream) {
      const text = typeof chunk.content === "string" ? chunk.content : messageText(chunk);
      if (text) ctx.emitToken(text);
      merged = merged ? merged.concat(chunk) : chunk;
    }
  } catch (error) {
    throw modelError(error, modelName);
  }
  if (!merged) throw new BlockRunError(`"${modelName}" sent an empty answer.`);
  const usage = merged.usage_metadata;
  ctx.meter.record({
    nodeId: ctx.nodeId,
    model: modelName,
    promptTokens: usage?.input_tokens ?? 0,
    completionTokens: usage?.output_tokens ?? 0,
  });
  return merged;
}

export { AIMessage, HumanMessage, SystemMessage, ToolMessage };
