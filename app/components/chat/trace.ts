import type { RunEvent } from "#agents/runtime/events";
import { stepEvents, type StoredStep } from "#agents/runtime/replay";

/**
 * The state of one run as the UI shows it, folded from its events. Pure, so the test chat
 * (live events) and the run page (the stored trace, replayed as events) draw the same thing.
 */
export type NodeTrace = {
  nodeId: string;
  blockType: string;
  /** "stopped": did not fail itself, another node's failure stopped it (`causedBy`). */
  state: "running" | "done" | "error" | "skipped" | "stopped";
  startedAt: number;
  durationMs: number | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  detail: Record<string, unknown> | null;
  error: string | null;
  causedBy: string | null;
};

/** One tool call of an Agent (`agentNodeId`), to the tool block `toolNodeId`. */
export type ToolCallView = {
  callId: string;
  agentNodeId: string;
  toolNodeId: string | null;
  tool: string;
  iteration: number;
  args: unknown;
  state: "running" | "ok" | "error";
  result: string | null;
  error: string | null;
  durationMs: number | null;
};

export type RunView = {
  runId: string;
  status: "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
  /** The answer so far: tokens from nodes that feed a Chat Output, then the final output. */
  answer: string;
  error: string | null;
  nodes: NodeTrace[];
  toolCalls: ToolCallView[];
  durationMs: number | null;
  usage: { promptTokens: number; completionTokens: number } | null;
};

export function emptyRunView(runId: string): RunView {
  return { runId, status: "running", answer: "", error: null, nodes: [], toolCalls: [], durationMs: null, usage: null };
}

/** Failed tool calls: a run that answered anyway is "Succeeded" with this as a warning beside it. */
export function failedToolCalls(view: Pick<RunView, "toolCalls">): number {
  return view.toolCalls.filter((c) => c.state === "error").length;
}

function upsert(nodes: NodeTrace[], nodeId: string, change: (n: NodeTrace | undefined) => NodeTrace | undefined): NodeTrace[] {
  const index = nodes.findIndex((n) => n.nodeId === nodeId);
  const changed = change(nodes[index]);
  if (!changed) return nodes;
  if (index === -1) return [...nodes, changed];
  const next = nodes.slice();
  next[index] = changed;
  return next;
}

/** What an ending node keeps from its start (or takes from the end event if the start was missed). */
function endedNode(
  started: NodeTrace | undefined,
  event: { nodeId: string; blockType: string; at: number },
): Pick<NodeTrace, "nodeId" | "blockType" | "startedAt" | "inputs"> {
  return { nodeId: event.nodeId, blockType: event.blockType, startedAt: started?.startedAt ?? event.at, inputs: started?.inputs ?? {} };
}

export function applyRunEvent(view: RunView, event: RunEvent): RunView {
  switch (event.type) {
    case "run.start":
      return { ...view, status: "running" };
    case "node.start":
      return {
        ...view,
        nodes: upsert(view.nodes, event.nodeId, () => ({
          nodeId: event.nodeId,
          blockType: event.blockType,
          state: "running",
          startedAt: event.at,
          durationMs: null,
          inputs: event.inputs,
          outputs: null,
          detail: null,
          error: null,
          causedBy: null,
        })),
      };
    case "node.output":
      return {
        ...view,
        nodes: upsert(view.nodes, event.nodeId, (n) => ({
          ...endedNode(n, event),
          state: event.skipped ? "skipped" : "done",
          durationMs: event.durationMs,
          outputs: event.outputs,
          detail: event.detail ?? null,
          error: null,
          causedBy: null,
        })),
      };
    case "node.error":
      return {
        ...view,
        nodes: upsert(view.nodes, event.nodeId, (n) => {
          // A node that failed after its output (a Chat Model an Agent could not reach) keeps it.
          const finishedBefore = n?.state === "done";
          return {
            ...endedNode(n, event),
            outputs: finishedBefore ? n.outputs : null,
            detail: event.detail ?? (finishedBefore ? n.detail : null),
            state: event.causedBy ? "stopped" : "error",
            durationMs: finishedBefore ? n.durationMs : event.durationMs,
            error: event.message,
            causedBy: event.causedBy ?? null,
          };
        }),
      };
    case "token":
      return event.toOutput ? { ...view, answer: view.answer + event.text } : view;
    case "tool.call":
      return {
        ...view,
        toolCalls: [
          ...view.toolCalls,
          {
            callId: event.callId,
            agentNodeId: event.nodeId,
            toolNodeId: event.toolNodeId,
            tool: event.tool,
            iteration: event.iteration,
            args: event.args,
            state: "running",
            result: null,
            error: null,
            durationMs: null,
          },
        ],
      };
    case "tool.result": {
      const ended = (c: ToolCallView): ToolCallView =>
        event.ok
          ? { ...c, state: "ok", result: event.result, durationMs: event.durationMs }
          : { ...c, state: "error", error: event.error, durationMs: event.durationMs };
      const toolCalls = view.toolCalls.map((c) => (c.callId === event.callId && c.agentNodeId === event.nodeId && c.state === "running" ? ended(c) : c));
      // A failed call marks its tool's block: that is where the user fixes it (URL, credential).
      const nodes =
        event.ok || !event.toolNodeId
          ? view.nodes
          : upsert(view.nodes, event.toolNodeId, (n) => n && { ...n, state: "error", error: event.error });
      return { ...view, toolCalls, nodes };
    }
    case "run.finish":
      return {
        ...view,
        status: event.status,
        answer: event.output ?? view.answer,
        error: event.error,
        durationMs: event.durationMs,
        usage: event.usage,
      };
  }
}

/** A stored run's steps, folded as their events (the run page; `steps` may be a replay's first few). */
export function viewOfSteps(runId: string, steps: readonly StoredStep[]): RunView {
  let view = emptyRunView(runId);
  for (const step of steps) for (const event of stepEvents(runId, step)) view = applyRunEvent(view, event);
  return view;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "…";
  if (ms < 1) return "<1 ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export const STATUS_LABELS: Record<RunView["status"], string> = {
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
  timed_out: "Timed out",
};

/** "1 tool call failed" / "2 tool calls failed"; null when none did. */
export function toolFailureNote(count: number): string | null {
  if (count <= 0) return null;
  return `${count} tool call${count === 1 ? "" : "s"} failed`;
}
