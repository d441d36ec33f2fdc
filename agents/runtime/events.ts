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
export type NodeErrorEvent = {
  type: "node.error";
  runId: string;
  at: number;
  nodeId: string;
  blockType: string;
  durationMs: number;
  message: string;
};
export type TokenEvent = {
  type: "token";
  runId: string;
  nodeId: string;
  text: string;
  /** True when this node's text goes straight to a Chat Output (the answer being typed). */
  toOutput: boolean;
};
export type RunFinishEvent = {
  type: "run.finish";
  runId: string;
  at: number;
  status: Exclude<RunStatus, "running">;
  output: string | null;
  error: string | null;
  durationMs: number;
  usage: TokenUsage;
};

export type RunEvent = RunStartEvent | NodeStartEvent | NodeOutputEvent | NodeErrorEvent | TokenEvent | RunFinishEvent;
export type RunEventType = RunEvent["type"];
