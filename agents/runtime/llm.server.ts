// Types only: LangChain itself is imported on the first model call (langchain.server.ts).
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage, AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { BlockRunError, innermostMessage, type NodeContext } from "./context";
import { langChainCore, langChainMessages, type LangChainCore } from "./langchain.server";
import type { ChatMessage, ChatModelValue } from "./values";

/** Memory messages → LangChain messages (tool results are kept as plain assistant notes). */
export async function toLangChain(messages: readonly ChatMessage[]): Promise<BaseMessage[]> {
  const { AIMessage, HumanMessage, SystemMessage } = await langChainMessages();
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

/** Which model a call goes to, as a Chat Model value's trace names it ("default" base URL: the operator's). */
export type ModelTarget = ChatModelValue["trace"];

/** What to check when the model API answers with this status. */
function adviceFor(status: number): string {
  if (status === 401 || status === 403) return " Check the API key (the credential chosen in the block).";
  if (status === 404) return " Check the Model name and the Base URL.";
  if (status === 429) return " The API is limiting requests: try again later, or check the account's quota.";
  return "";
}

const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/**
 * Makes errors from the model API say what happened, where, and what to check, for the trace,
 * the canvas and the chat. The message does not name the block: whoever shows it does.
 */
export function modelError(error: unknown, target: ModelTarget): Error {
  if (error instanceof BlockRunError) return error;
  if (error instanceof Error && (error.name === "AbortError" || /abort/i.test(error.message))) return error;
  const status = typeof error === "object" && error !== null && "status" in error ? (error as { status?: unknown }).status : undefined;
  const where = target.baseUrl === "default" ? "the default model server" : target.baseUrl;
  const text = error instanceof Error ? error.message : String(error);
  if (typeof status === "number") {
    return new BlockRunError(`The model API at ${where} answered ${status} for "${target.model}": ${sentence(text)}${adviceFor(status)}`);
  }
  // e.g. a refused connection, or the SSRF guard refusing the address.
  const detail = innermostMessage(error);
  const fix = target.baseUrl === "default" ? "Set a Base URL, or ask the operator to check OPENAI_BASE_URL." : "Check the Base URL.";
  return new BlockRunError(`Could not connect to ${where}: ${sentence(detail)} ${fix}`);
}

type StreamingModel = BaseChatModel | Runnable<BaseMessage[], AIMessageChunk>;

/**
 * The model's chunks. A plain chat model is read through its own streaming method, which
 * skips the callback machinery of `.stream()` (a third of LangChain's per-call CPU, and
 * Skyloom attaches no callbacks); a bound model (tools) goes through `.stream()`.
 */
async function chunksOf(lc: LangChainCore, model: StreamingModel, messages: BaseMessage[], signal: AbortSignal): Promise<AsyncIterable<AIMessageChunk>> {
  const Base = lc.chatModels.BaseChatModel;
  if (model instanceof Base && model._streamResponseChunks !== Base.prototype._streamResponseChunks) {
    const generations = model._streamResponseChunks(messages, { signal } as Parameters<BaseChatModel["_streamResponseChunks"]>[1]);
    return (async function* () {
      for await (const generation of generations) yield generation.message as AIMessageChunk;
    })();
  }
  return (model as Runnable<BaseMessage[], AIMessageChunk>).stream(messages, { signal });
}

/**
 * A signal for one model call, aborted with the run's. LangChain and the openai SDK add abort
 * listeners they never remove (the SDK also joins signals with AbortSignal.any); given the
 * run's own signal, they stayed attached to it after the call. A signal per call, let go when
 * the call ends, leaves the run's signal as it was; on the gateway bench fewer of each
 * request's objects outlived young-generation collections (ADR 007).
 */
function abortableCall(runSignal: AbortSignal): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  if (runSignal.aborted) {
    controller.abort(runSignal.reason);
    return { signal: controller.signal, release: () => {} };
  }
  const onAbort = () => controller.abort(runSignal.reason);
  runSignal.addEventListener("abort", onAbort, { once: true });
  return { signal: controller.signal, release: () => runSignal.removeEventListener("abort", onAbort) };
}

/** The model's answer in one piece (nobody follows the tokens). A plain chat model is asked through its own method, as above. */
async function wholeAnswerOf(lc: LangChainCore, model: StreamingModel, messages: BaseMessage[], signal: AbortSignal): Promise<AIMessage | AIMessageChunk> {
  if (model instanceof lc.chatModels.BaseChatModel) {
    const result = await model._generate(messages, { signal } as Parameters<BaseChatModel["_generate"]>[1]);
    const message = result.generations[0]?.message;
    if (!message) throw new BlockRunError("The model sent no answer.");
    return message as AIMessage;
  }
  return (model as Runnable<BaseMessage[], AIMessage | AIMessageChunk>).invoke(messages, { signal });
}

/**
 * One model call. When someone follows the run's tokens (the test chat, a streaming API
 * request, a run page) the answer is streamed: tokens go out as they arrive and the chunks
 * become the final message. Otherwise the model is asked for the whole answer at once, which
 * spares parsing an event stream and a message object per token.
 */
export async function callChatModel(model: StreamingModel, messages: BaseMessage[], ctx: NodeContext, target: ModelTarget): Promise<AIMessage | AIMessageChunk> {
  const modelName = target.model;
  const lc = await langChainCore();
  let answer: AIMessage | AIMessageChunk;
  const call = abortableCall(ctx.signal);
  try {
    answer = ctx.streaming
      ? await streamChat(lc, model, messages, { ...ctx, signal: call.signal }, modelName)
      : await wholeAnswerOf(lc, model, messages, call.signal);
  } catch (error) {
    throw modelError(error, target);
  } finally {
    call.release();
  }
  const usage = answer.usage_metadata;
  ctx.meter.record({
    nodeId: ctx.nodeId,
    model: modelName,
    promptTokens: usage?.input_tokens ?? 0,
    completionTokens: usage?.output_tokens ?? 0,
  });
  return answer;
}

/**
 * Streams one model call: tokens go to the chat as they arrive and the chunks become the final
 * message. Chunks are merged with LangChain's concat only when they carry tool calls; a text
 * answer is joined directly, which is much cheaper.
 */
async function streamChat(lc: LangChainCore, model: StreamingModel, messages: BaseMessage[], ctx: NodeContext, modelName: string): Promise<AIMessageChunk> {
  const chunks: AIMessageChunk[] = [];
  let text = "";
  let hasToolCalls = false;
  for await (const chunk of await chunksOf(lc, model, messages, ctx.signal)) {
    const piece = typeof chunk.content === "string" ? chunk.content : messageText(chunk);
    if (piece) {
      text += piece;
      ctx.emitToken(piece);
    }
    if (chunk.tool_call_chunks && chunk.tool_call_chunks.length > 0) hasToolCalls = true;
    chunks.push(chunk);
  }
  if (chunks.length === 0) {
    if (ctx.signal.aborted) return new lc.messages.AIMessageChunk({ content: "" });
    throw new BlockRunError(`"${modelName}" sent an empty answer.`);
  }
  if (hasToolCalls) return chunks.reduce((acc, chunk) => acc.concat(chunk));
  const usage = chunks.findLast((c) => c.usage_metadata)?.usage_metadata;
  return new lc.messages.AIMessageChunk({ content: text, id: chunks.find((c) => c.id)?.id, ...(usage ? { usage_metadata: usage } : {}) });
}
