import type { ToolCallRecord } from "./events";

/**
 * The tool calls an Agent's trace detail holds (`detail.toolCalls`), read back from stored JSON.
 * Pure and isomorphic: the run page, the test chat and the stored-trace replay all use it.
 * Entries that are not tool call records (older traces, hand-edited rows) are left out.
 */
export function toolCallsOf(detail: unknown): ToolCallRecord[] {
  if (typeof detail !== "object" || detail === null) return [];
  const list = (detail as { toolCalls?: unknown }).toolCalls;
  if (!Array.isArray(list)) return [];
  return list.filter(isToolCallRecord);
}

function isToolCallRecord(value: unknown): value is ToolCallRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  const outcomeOk = r.ok === true ? typeof r.result === "string" : r.ok === false && typeof r.error === "string";
  return (
    typeof r.callId === "string" &&
    typeof r.tool === "string" &&
    (typeof r.toolNodeId === "string" || r.toolNodeId === null) &&
    typeof r.iteration === "number" &&
    typeof r.durationMs === "number" &&
    outcomeOk
  );
}

/** Why a node stopped, when another node's failure stopped it (a stored step's `detail.causedBy`). */
export function causedByOf(detail: unknown): string | undefined {
  if (typeof detail !== "object" || detail === null) return undefined;
  const id = (detail as { causedBy?: unknown }).causedBy;
  return typeof id === "string" ? id : undefined;
}
