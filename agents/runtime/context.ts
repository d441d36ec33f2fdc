import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { GraphNode } from "../graph/doc";
import type { ToolCallInfo, ToolOutcome } from "./events";
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
/** Turns a workload node with the model-endpoint role into the endpoint it is deployed as. */
export type EndpointResolver = { resolve(node: GraphNode): Promise<ResolvedEndpoint> };

export type Clock = { now(): number };

export type SandboxLimits = { timeoutMs: number; memoryBytes: number };
/** One call of a code tool: a function body, its arguments (`input`) and its limits. */
export type CodeRun = { toolName: string; code: string; input: unknown; limits: SandboxLimits; signal?: AbortSignal };
/**
 * Runs user code away from the host's event loop (the server's implementation is a pool of
 * QuickJS workers with a per-team share). Resolves with the result as JSON text; rejects with
 * an error whose message is written for the agent and the flow's author (time limit, memory
 * limit, the code's own exception, a busy sandbox).
 */
export type CodeSandbox = { run(request: CodeRun): Promise<string> };

/** A passage a knowledge base search found, with what an answer cites. */
export type RetrievedChunk = {
  text: string;
  /** "handbook.pdf, page 3" or "guide.md › Setup". */
  citation: string;
  documentName: string;
  page: number | null;
  heading: string | null;
  sourceUrl: string | null;
  /** 0..1, higher is better. */
  score: number;
};
export type KnowledgeSearchRequest = {
  knowledgeBaseId: string;
  query: string;
  topK: number;
  minScore: number;
  /** Unset: the base's own search mode. */
  mode?: "keyword" | "vector" | "hybrid";
};
/**
 * Searches the knowledge bases of the run's team only: another team's id (from a template or
 * an imported flow) is refused as unknown. Rejects with a message for the flow's author.
 */
export type KnowledgeSearch = {
  search(request: KnowledgeSearchRequest): Promise<{ knowledgeBaseName: string; results: RetrievedChunk[]; notice?: string }>;
};

export type UsageRecord = TokenUsage & { nodeId: string; model: string };
export type Meter = { record(usage: UsageRecord): void };

/** Everything with a side effect that a block may use; tests hand in fakes. */
export type RunCapabilities = {
  llm: LlmClientFactory;
  credentials: CredentialResolver;
  memory: MemoryStore;
  http: HttpClient;
  sandbox: CodeSandbox;
  endpoints: EndpointResolver;
  clock: Clock;
  meter: Meter;
  /** Knowledge base search; absent where no knowledge bases exist (the retriever says so). */
  knowledge?: KnowledgeSearch;
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
  /** Extra facts for this node's trace, e.g. how many model turns an Agent took. */
  addDetail(key: string, value: unknown): void;
  /**
   * Announces a tool call (an Agent's) to the run's events and trace; call the function it
   * returns with the outcome when the call ends.
   */
  toolCall(call: ToolCallInfo): (outcome: ToolOutcome) => void;
};

/** A run-time failure whose message is written for the person who built the flow. */
export class BlockRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BlockRunError";
  }
}

/**
 * A failure that is another node's fault: an Agent could not reach the Chat Model wired into
 * it. The executor marks that node failed (red on the canvas) and this one as stopped by it.
 */
export class NodeFault extends BlockRunError {
  constructor(
    message: string,
    readonly nodeId: string,
  ) {
    super(message);
    this.name = "NodeFault";
  }
}

/**
 * The most specific message of an error: network libraries wrap a failure ("Connection
 * error." → "fetch failed" → "connect ECONNREFUSED 127.0.0.1:1"); the innermost cause says
 * what really happened.
 */
export function innermostMessage(error: unknown): string {
  let text = error instanceof Error ? error.message : String(error);
  for (let cause = (error as { cause?: unknown })?.cause, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (cause.message) text = cause.message;
  }
  return text;
}
