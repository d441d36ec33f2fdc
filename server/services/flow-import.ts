import { blockRegistry } from "#agents/blocks/index";
import { describeChange, parseFlowFile } from "#agents/graph/index";
import { FORMAT_NAMES, ImportError, type ImportReport } from "#agents/import/index";
import type { Db } from "#db/client";
import { ImporterRefusal, type FlowImporter } from "../import/runner";
import { badRequest, DomainError } from "./errors";
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

/**
 * Imports another builder's export (Flowise, Langflow, Dify; or a Skyloom flow file) as a new
 * flow of the team. The importer is pure, runs nothing from the file, and runs in the
 * importer's worker thread (server/import/), so a slow or hostile file never holds the host's
 * event loop. A refused file is a BAD_REQUEST naming the problem, and creates nothing.
 */
export async function importExternalFlow(
  db: Db,
  importer: Pick<FlowImporter, "import">,
  scope: TeamScope,
  input: { text: string; fileName?: string },
): Promise<{ flow: { id: string; name: string }; report: ImportReport }> {
  let result;
  try {
    result = await importer.import(input.text, input.fileName);
  } catch (error) {
    if (error instanceof ImporterRefusal) throw new DomainError(error.kind === "busy" ? "TOO_MANY_REQUESTS" : "BAD_REQUEST", error.message);
    if (!(error instanceof ImportError)) throw error;
    const details = error.details.length > 0 ? ` (${error.details.slice(0, 3).join("; ")})` : "";
    throw badRequest(`${error.message}${details} [${error.code}]`);
  }
  const graph = StorableGraphSchema.safeParse(result.graph);
  if (!graph.success) {
    throw badRequest(`The imported flow cannot be stored: ${graph.error.issues[0]?.message ?? "invalid graph"}.`);
  }
  const name = result.name.trim().slice(0, 120) || "Imported flow";
  const flow = createFlow(db, scope, { name, description: `Imported from a ${FORMAT_NAMES[result.report.format]}.`, graph: graph.data });
  return { flow: { id: flow.id, name: flow.name }, report: result.report };
}

function withDetails(message: string, details: readonly string[]): string {
  return details.length === 0 ? message : `${message} ${details.slice(0, 8).join("; ")}`;
}
