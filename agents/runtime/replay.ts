import type { RunEvent } from "./events";
import { causedByOf, toolCallsOf } from "./tool-calls";

/** One node's step as the trace stores it (times in epoch milliseconds). */
export type StoredStep = {
  nodeId: string;
  blockType: string;
  status: "running" | "succeeded" | "failed" | "skipped" | "stopped";
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  detail: Record<string, unknown> | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
};

/**
 * A stored step as the events it came from, so a stored run folds into the same view as a live
 * one (the run page, a late subscriber). Tokens are not stored; everything else replays as it
 * happened: an Agent's tool calls before its end, a node that failed after its output (the
 * Chat Model an Agent could not reach), a node stopped by another's failure.
 */
export function stepEvents(runId: string, step: StoredStep): RunEvent[] {
  const at = step.startedAt;
  const node = { runId, nodeId: step.nodeId, blockType: step.blockType };
  const events: RunEvent[] = [];
  if (step.status !== "skipped") events.push({ type: "node.start", at, ...node, inputs: step.inputs ?? {} });
  for (const call of toolCallsOf(step.detail)) {
    const { args, ...ended } = call;
    events.push({ type: "tool.call", runId, at, nodeId: step.nodeId, callId: call.callId, tool: call.tool, toolNodeId: call.toolNodeId, iteration: call.iteration, args });
    events.push({ type: "tool.result", runId, at, nodeId: step.nodeId, ...ended });
  }
  if (step.status === "running") return events;
  const durationMs = step.durationMs ?? 0;
  const endAt = step.finishedAt ?? at;
  const detail = step.detail ?? undefined;
  if (step.status === "failed" || step.status === "stopped") {
    // A step that failed after its output (see run-trace.ts) still has it.
    if (step.outputs) events.push({ type: "node.output", at: endAt, ...node, durationMs, outputs: step.outputs });
    const causedBy = step.status === "stopped" ? causedByOf(detail) : undefined;
    events.push({ type: "node.error", at: endAt, ...node, durationMs, message: step.error ?? "Failed", ...(causedBy ? { causedBy } : {}), ...(detail ? { detail } : {}) });
    return events;
  }
  events.push({
    type: "node.output",
    at: endAt,
    ...node,
    durationMs,
    outputs: step.outputs ?? {},
    ...(detail ? { detail } : {}),
    ...(step.status === "skipped" ? { skipped: true } : {}),
  });
  return events;
}
