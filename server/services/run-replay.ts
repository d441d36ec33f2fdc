import type { RunStatus } from "#db/schema";
import type { RunEvent } from "#agents/runtime/events";
import { stepEvents } from "#agents/runtime/replay";
import type { RunService } from "./runs";

type StoredRun = ReturnType<RunService["get"]>;

/** A stored run as the events it came from, for a subscriber to a run no longer in memory (see stepEvents). */
export function storedEvents(run: StoredRun): RunEvent[] {
  const runId = run.id;
  const events: RunEvent[] = [
    { type: "run.start", runId, at: run.startedAt.getTime(), input: run.input, nodes: run.steps.map((s) => s.nodeId) },
  ];
  for (const step of run.steps) {
    events.push(...stepEvents(runId, { ...step, startedAt: step.startedAt.getTime(), finishedAt: step.finishedAt?.getTime() ?? null }));
  }
  if (run.status !== "running") {
    events.push({
      type: "run.finish",
      runId,
      at: run.finishedAt?.getTime() ?? run.startedAt.getTime(),
      status: run.status as Exclude<RunStatus, "running">,
      output: run.output,
      error: run.error,
      durationMs: run.durationMs ?? 0,
      usage: { promptTokens: run.promptTokens, completionTokens: run.completionTokens },
      failedToolCalls: run.failedToolCalls,
    });
  }
  return events;
}
