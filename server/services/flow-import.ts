import { FORMAT_NAMES, ImportError, importFlowFile, type ImportReport } from "#agents/import/index";
import type { Db } from "#db/client";
import { StorableGraphSchema } from "./flow-graph";
import { createFlow, type TeamScope } from "./flows";
import { badRequest } from "./errors";

/**
 * Imports another builder's export (or a Skyloom flow file) as a new flow of the team. The
 * importer is pure and runs nothing from the file; a refused file is a BAD_REQUEST naming
 * the problem, and creates nothing.
 */
export function importExternalFlow(db: Db, scope: TeamScope, input: { text: string; fileName?: string }): { flow: { id: string; name: string }; report: ImportReport } {
  let result;
  try {
    result = importFlowFile(input.text, input.fileName);
  } catch (error) {
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
