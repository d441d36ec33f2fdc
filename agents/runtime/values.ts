import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { StructuredToolInterface } from "@langchain/core/tools";

/**
 * The values that travel along edges at run time, one shape per port data type. Each carries
 * `kind` so the executor can convert and describe it, and a `trace` the run page can show
 * (never a secret: a model is shown by name and base URL, not by its key).
 */
export type ChatMessage = { role: "user" | "assistant" | "system" | "tool"; content: string };

/**
 * The node a value came from, as the executor stamps it when the value leaves that node, so a
 * block that uses the value (an Agent calling a model or a tool) can say whose failure it is.
 */
export type ValueSource = { nodeId: string; /** e.g. `Chat Model "GPT"` (see nodeName). */ name: string };

export type ChatModelValue = {
  kind: "chat-model";
  model: BaseChatModel;
  /** The base URL is "default" for the operator's default model. */
  trace: { model: string; baseUrl: string };
  source?: ValueSource;
};

export type ToolValue = {
  kind: "tool";
  tool: StructuredToolInterface;
  trace: { name: string; description: string };
  source?: ValueSource;
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

/** The value with the node it came from (chat models and tools; other values as they are). */
export function withSource(value: unknown, source: ValueSource): unknown {
  if (isRuntimeObject(value) && (value.kind === "chat-model" || value.kind === "tool")) return { ...value, source };
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
