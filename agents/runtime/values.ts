import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { StructuredToolInterface } from "@langchain/core/tools";

/**
 * The values that travel along edges at run time, one shape per port data type. Each carries
 * `kind` so the executor can convert and describe it, and a `trace` the run page can show
 * (never a secret: a model is shown by name and base URL, not by its key).
 */
export type ChatMessage = { role: "user" | "assistant" | "system" | "tool"; content: string };

export type ChatModelValue = {
  kind: "chat-model";
  model: BaseChatModel;
  trace: { model: string; baseUrl: string };
};

export type ToolValue = {
  kind: "tool";
  tool: StructuredToolInterface;
  trace: { name: string; description: string };
};

export type MemoryValue = {
  kind: "memory";
  /** The most recent messages of this conversation, oldest first, at most the window size. */
  load(): Promise<ChatMessage[]>;
  append(messages: ChatMessage[]): Promise<void>;
  trace: { key: string; windowSize: number };
};

/** A deployed model endpoint: an OpenAI-compatible base URL and the model name it serves. */
export type EndpointValue = {
  kind: "endpoint";
  baseUrl: string;
  model: string;
  apiKey?: string;
  trace: { baseUrl: string; model: string };
};

export type RuntimeObject = ChatModelValue | ToolValue | MemoryValue | EndpointValue;

/** Marks an output a router did not choose: every node fed by it is skipped. */
export const SKIPPED: unique symbol = Symbol("skipped");
export type Skipped = typeof SKIPPED;

export function isRuntimeObject(value: unknown): value is RuntimeObject {
  return typeof value === "object" && value !== null && "kind" in value && "trace" in value;
}

/** A JSON-safe picture of a port value for the trace and the events. */
export function describeValue(value: unknown): unknown {
  if (value === SKIPPED) return { skipped: true };
  if (Array.isArray(value)) return value.map(describeValue);
  if (isRuntimeObject(value)) return { [value.kind]: value.trace };
  return value;
}

export function isChatModel(value: unknown): value is ChatModelValue {
  return isRuntimeObject(value) && value.kind === "chat-model";
}
export function isTool(value: unknown): value is ToolValue {
  return isRuntimeObject(value) && value.kind === "tool";
}
export function isMemory(value: unknown): value is MemoryValue {
  return isRuntimeObject(value) && value.kind === "memory";
}
