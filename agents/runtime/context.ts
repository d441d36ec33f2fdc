import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { GraphNode } from "../graph/doc";
import type { ChatMessage } from "./values";

export type RunStatus = "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
export type TokenUsage = { promptTokens: number; completionTokens: number };

/**
 * What a chat model client needs. An empty `baseUrl` means the operator's default model (the
 * embedded local development model unless OPENAI_API_KEY/OPENAI_BASE_URL say otherwise).
 * `trusted` is true only for URLs Skyloom itself produced (a deployed endpoint); anything a
 * user typed goes through the SSRF guard.
 */
export type ChatModelSpec = {
  baseUrl: string;
  apiKey?: string;
  model: string;
  temperature?: number;
  maxTokens?: number;
  trusted: boolean;
};

/** May answer asynchronously: the host imports its model client library on the first call. */
export type LlmClientFactory = { chatModel(spec: ChatModelSpec): BaseChatModel | Promise<BaseChatModel> };

export type ResolvedCredential = { kind: "openai" | "secret"; secret: string; baseUrl?: string };
export type CredentialResolver = {
  /** Throws a clear error for an id that is not the team's. */
  resolve(credentialId: string): Promise<ResolvedCredential>;
};

export type MemoryStore = {
  load(args: { conversationId: string; key: string; limit: number }): Promise<ChatMessage[]>;
  append(args: { conversationId: string; key: string; messages: ChatMessage[] }): Promise<void>;
};

/** HTTP for user-given URLs; the server's implementation is the SSRF-guarded fetch. */
export type HttpClient = { fetch(url: string, init?: RequestInit): Promise<Response> };

export type ResolvedEndpoint = { baseUrl: string; model: string; apiKey?: string };
/** Turns a workload node (model.endpoint) into the endpoint it is deployed as. */
export type EndpointResolver = { resolve(node: GraphNode): Promise<ResolvedEndpoint> };

export type Clock = { now(): number };

export type UsageRecord = TokenUsage & { nodeId: string; model: string };
export type Meter = { record(usage: UsageRecord): void };

/** Everything with a side effect that a block may use; tests hand in fakes. */
export type RunCapabilities = {
  llm: LlmClientFactory;
  credentials: CredentialResolver;
  memory: MemoryStore;
  http: HttpClient;
  endpoints: EndpointResolver;
  clock: Clock;
  meter: Meter;
};

/** What one node's runner gets: the capabilities plus its place in the run. */
export type NodeContext = RunCapabilities & {
  runId: string;
  conversationId: string;
  /** The chat message that started the run. */
  input: string;
  nodeId: string;
  /** Aborts on cancel, timeout or another node's failure; pass it to every await that can. */
  signal: AbortSignal;
  /**
   * Whether anyone follows the run's tokens as they come (the test chat, a streaming API
   * request); when not, a model may answer in one piece.
   */
  streaming: boolean;
  /** Streams a piece of generated text to the chat. */
  emitToken(text: string): void;
  /** Counts one step against the run's step limit (agent iterations call it per turn). */
  step(): void;
  /** The final answer of the run (Chat Output calls it). */
  respond(text: string): void;
  /** Extra facts for this node's trace, e.g. tool calls. */
  addDetail(key: string, value: unknown): void;
};

/** A run-time failure whose message is written for the person who built the flow. */
export class BlockRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BlockRunError";
  }
}
