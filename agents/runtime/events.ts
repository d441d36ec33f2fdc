import type { RunStatus, TokenUsage } from "./context";

/**
 * The typed events of a run. They are streamed to the UI as they happen and stored as the
 * run's trace; the same sequence replays a finished run.
 */
export type RunStartEvent = { type: "run.start"; runId: string; at: number; input: string; nodes: string[] };
export type NodeStartEvent = {
  type: "node.start";
  runId: string;
  at: number;
  nodeId: string;
  blockType: string;
  /** JSON-safe picture of the node's inputs (see describeValue). */
  inputs: Record<string, unknown>;
};
export type NodeOutputEvent = {
  type: "node.output";
  runId: string;
  at: number;
  nodeId: string;
  blockType: string;
  durationMs: number;
  outputs: Record<string, unknown>;
  /** Block-specific trace extras, e.g. the tool calls an agent made. */
  detail?: Record<string, unknown>;
  /** True when the node did not run because a router chose another branch. */
  skipped?: boolean;
};
/**
 * A node failed. Usually the node that ran, but a node may fail after its output: a Chat Model
 * whose API an Agent could not reach gets a node.error of its own (it is at fault), and the
 * Agent one with `causedBy` naming it. A node.error after the node's node.output keeps that
 * output and its timing.
 */
export type NodeErrorEvent = {
  type: "node.error";
  runId: string;
  at: number;
  nodeId: string;
  blockType: string;
  durationMs: number;
  /** For people, without the node's own name (it is shown on or beside the node). */
  message: string;
  /** Set when this node did not fail itself but stopped because that node failed. */
  causedBy?: string;
  /** Trace extras gathered before the failure, e.g. the tool calls an Agent made. */
  detail?: Record<string, unknown>;
};
export type TokenEvent = {
  type: "token";
  runId: string;
  nodeId: string;
  text: string;
  /** True when this node's text goes straight to a Chat Output (the answer being typed). */
  toOutput: boolean;
};

/** One call an Agent made to one of its tools. */
export type ToolCallInfo = {
  /** The model's id for the call. */
  callId: string;
  /** The tool's name, as the model called it. */
  tool: string;
  /** The tool's block; null when the model called a tool the Agent does not have. */
  toolNodeId: string | null;
  /** The Agent's model turn (from 1) that asked for the call. */
  iteration: number;
  args: unknown;
};
/** What a tool call came to: its result (what the model was given), or why it failed. */
export type ToolOutcome = { ok: true; result: string } | { ok: false; error: string };
/** What the trace keeps of a tool call: the Agent's `detail.toolCalls` is a list of these. */
export type ToolCallRecord = ToolCallInfo & ToolOutcome & { durationMs: number };

/** An Agent (`nodeId`) calls a tool. */
export type ToolCallEvent = ToolCallInfo & { type: "tool.call"; runId: string; at: number; nodeId: string };
/**
 * A tool call ended. A failed call does not fail the run (the Agent tells the model, which may
 * recover), but it is counted in run.finish and marks the tool's block.
 */
export type ToolResultEvent = Omit<ToolCallInfo, "args"> &
  ToolOutcome & { type: "tool.result"; runId: string; at: number; nodeId: string; durationMs: number };

export type RunFinishEvent = {
  type: "run.finish";
  runId: string;
  at: number;
  status: Exclude<RunStatus, "running">;
  output: string | null;
  error: string | null;
  durationMs: number;
  usage: TokenUsage;
  /** Tool calls that failed; a run that answered anyway still succeeded, with this as a warning. */
  failedToolCalls: number;
};

export type RunEvent =
  | RunStartEvent
  | NodeStartEvent
  | NodeOutputEvent
  | NodeErrorEvent
  | TokenEvent
  | ToolCallEvent
  | ToolResultEvent
  | RunFinishEvent;
export type RunEventType = RunEvent["type"];
