import type { GraphDoc } from "#agents/graph/index";
import type { RunEvent } from "#agents/runtime/events";
import type { RunResult } from "#agents/runtime/executor";
import type { RunOrigin } from "../services/run-settlement";
import type { HistoryMessage } from "./chat-request";

/** What the gateway asks of the runtime for one request. */
export type AgentRunRequest = {
  teamId: string;
  flowId: string;
  flowVersionId: string;
  graph: GraphDoc;
  input: string;
  /** Earlier messages of the request; they become the conversation's memory if it has none yet. */
  history: HistoryMessage[];
  conversationId: string;
  /** The client asked for a stream (tokens as they come) rather than one answer. */
  stream: boolean;
  /** The agent and key the request came for: stored with the run, and its usage is posted to them. */
  origin: Extract<RunOrigin, { kind: "gateway" }>;
};

/** A started run: its id at once, its events as they happen, and its result. */
export type AgentRunHandle = {
  runId: string;
  events(signal?: AbortSignal): AsyncIterable<RunEvent>;
  result: Promise<RunResult>;
  /** Stops the run (the client went away). */
  cancel(): void;
};

/** Starts a published agent's run through the production runtime (which stores the run and its trace). */
export type AgentRunner = (request: AgentRunRequest) => Promise<AgentRunHandle>;
