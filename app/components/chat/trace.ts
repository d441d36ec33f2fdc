import type { RunEvent } from "#agents/runtime/events";

/**
 * The state of one run as the UI shows it, folded from its events. Pure, so the test chat
 * (live events) and the run page (stored trace) draw the same thing.
 */
export type NodeTrace = {
  nodeId: string;
  blockType: string;
  state: "running" | "done" | "error" | "skipped";
  startedAt: number;
  durationMs: number | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  detail: Record<string, unknown> | null;
  error: string | null;
};

export type RunView = {
  runId: string;
  status: "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
  /** The answer so far: tokens from nodes that feed a Chat Output, then the final output. */
  answer: string;
  error: string | null;
  nodes: NodeTrace[];
  durationMs: number | null;
  usage: { promptTokens: number; completionTokens: number } | null;
};

export function emptyRunView(runId: string): RunView {
  return { runId, status: "running", answer: "", error: null, nodes: [], durationMs: null, usage: null };
}

function upsert(nodes: NodeTrace[], nodeId: string, change: (n: NodeTrace | undefined) => NodeTrace): NodeTrace[] {
  const index = nodes.findIndex((n) => n.nodeId === nodeId);
  if (index === -1) return [...nodes, change(undefined)];
  const next = nodes.slice();
  next[index] = change(nodes[index]);
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
        })),
      };
    case "node.error":
      return {
        ...view,
        nodes: upsert(view.nodes, event.nodeId, (n) => ({
          ...endedNode(n, event),
          outputs: null,
          detail: null,
          state: "error",
          durationMs: event.durationMs,
          error: event.message,
        })),
      };
    case "token":
      return event.toOutput ? { ...view, answer: view.answer + event.text } : view;
    case "tool.call":
    case "tool.result":
      return view;
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
