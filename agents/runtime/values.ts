import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseRetrieverInterface } from "@langchain/core/retrievers";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { PortDataType } from "../graph/data-types";
import type { RetrievedChunk } from "./context";

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

/** Turns text into vectors (for a knowledge base). No block produces one yet. */
export type EmbeddingsValue = {
  kind: "embeddings";
  embeddings: EmbeddingsInterface;
  trace: { model: string };
  source?: ValueSource;
};

/** Finds the documents relevant to a query. No block produces one yet. */
export type RetrieverValue = {
  kind: "retriever";
  retriever: BaseRetrieverInterface;
  trace: { name: string };
  source?: ValueSource;
};

/** Passages found in a knowledge base (a Knowledge Retriever's output), with a picture of the search for the trace. */
export type DocumentsValue = {
  kind: "documents";
  documents: RetrievedChunk[];
  trace: { knowledgeBase: string; query: string; passages: { citation: string; score: number }[] };
};

/** Any JSON value (what a Structured Output block produces). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The one runtime value of each port data type: what a runner finds on an input of that type
 * (after the executor's implicit conversions: JSON into text is its text, an endpoint into a
 * chat model is a chat model) and what it must put on an output of that type.
 */
export type PortValues = {
  text: string;
  messages: ChatMessage[];
  "chat-model": ChatModelValue;
  embeddings: EmbeddingsValue;
  tool: ToolValue;
  memory: MemoryValue;
  retriever: RetrieverValue;
  documents: DocumentsValue;
  json: JsonValue;
  endpoint: EndpointValue;
};

/** `PortValueOf<"chat-model">` is ChatModelValue. */
export type PortValueOf<T extends PortDataType> = PortValues[T];

// Exhaustive both ways: a data type added to PORT_DATA_TYPES without a value type here (or a
// value type for a data type that does not exist) fails the typecheck.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const PORT_VALUES_COVER_EVERY_DATA_TYPE: Exactly<keyof PortValues, PortDataType> = true;

export type RuntimeObject = ChatModelValue | ToolValue | MemoryValue | EndpointValue | EmbeddingsValue | RetrieverValue;

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
