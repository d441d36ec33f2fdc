import { blockRegistry } from "#agents/blocks/index";
import { describeChange, parseFlowFile } from "#agents/graph/index";
import type { Db } from "#db/client";
import { badRequest } from "./errors";
import { StorableGraphSchema } from "./flow-graph";
import { createFlow, type TeamScope } from "./flows";

/**
 * A flow file uploaded as text becomes a new flow: read by the kernel's parser (limits, safe
 * JSON, graph format, block upgrades), checked like any stored graph, then created in one
 * transaction. A refused file creates nothing and answers BAD_REQUEST saying what to fix.
 */
export function importFlowFile(db: Db, scope: TeamScope, input: { text: string }) {
  const read = parseFlowFile(input.text, blockRegistry);
  if (!read.ok) throw badRequest(withDetails(read.message, read.details));
  const storable = StorableGraphSchema.safeParse(read.file.graph);
  if (!storable.success) {
    const problems = storable.error.issues.map((i) => i.message);
    throw badRequest(withDetails(`This flow file cannot be loaded: ${problems.length === 1 ? "one problem" : `${problems.length} problems`}.`, problems));
  }
  const flow = createFlow(db, scope, { name: read.file.name, graph: storable.data });
  return { ...flow, upgraded: read.changes.map(describeChange) };
}

function withDetails(message: string, details: readonly string[]): string {
  return details.length === 0 ? message : `${message} ${details.slice(0, 8).join("; ")}`;
}
