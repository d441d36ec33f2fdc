/**
 * The one catalog of diagnostic codes. Every problem the kernel reports about a graph has a
 * code here, so the canvas, the API and the CLI can all show and filter it the same way.
 * E1xx: graph structure and wiring. E2xx: block configuration and inputs. E3xx: workloads.
 * I4xx: importing a flow from another builder (Flowise, Langflow, Dify; see agents/import).
 */
export const DIAGNOSTIC_CODES = {
  E101: "Unknown block type",
  E102: "Duplicate node id",
  E103: "Duplicate edge id",
  E104: "Edge points at a node that does not exist",
  E105: "Edge points at a port that does not exist",
  E106: "Port types do not match",
  E107: "Input already connected",
  E108: "Edge connects a node to itself",
  E109: "Edge would create a cycle",
  E110: "Edge already exists",
  E201: "Invalid block configuration",
  E202: "Required input is not connected",
  E203: "Block version cannot be upgraded",
  E302: "Model does not fit the chosen GPU",
  E303: "No GPU in the catalog can hold the model",
  E304: "Fizz-mode limit broken",
  E305: "GPU not offered in fizz mode",
  E306: "Runtime cannot serve this model",
  E307: "Price cap below the estimated price",
  E308: "Internal connection between separate deployments",
  E309: "Workload name used twice",
  E310: "Port exposed twice",
  E311: "Nothing to deploy",
  E312: "Region not known to Skyloom",
  E313: "Gated model needs a Hugging Face token",
  E314: "GPU chosen with a GPU count of 0",
  E315: "Secret written in plain text",
  E316: "Credential for a variable is missing",
  E317: "Model endpoint not deployed",
  I401: "Node imported as a Skyloom block",
  I402: "Node has no Skyloom equivalent; a placeholder note stands in its place",
  I403: "Secret not imported",
  I404: "Code kept as text; it was not run",
  I405: "Connection not imported",
  I406: "Setting not imported as written",
  I407: "Connection points at a node that is not in the file",
  I408: "Added to complete the flow",
  I410: "File format not recognised",
  I411: "File too large",
  I412: "File nested too deeply",
  I413: "Forbidden key in the file",
  I414: "Too many nodes or connections",
  I415: "File does not match its format",
  I416: "Too many YAML aliases",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export type Diagnostic = {
  code: DiagnosticCode;
  severity: "error" | "warning";
  /** The node the canvas should mark; absent only for graph-wide problems. */
  node?: string;
  edge?: string;
  port?: string;
  message: string;
};

export function diagnostic(
  code: DiagnosticCode,
  message: string,
  where: { node?: string; edge?: string; port?: string } = {},
  severity: Diagnostic["severity"] = "error",
): Diagnostic {
  return { code, severity, ...where, message };
}

/** A diagnostic for a machine-readable log (the CLI): code, node id and port id, message. */
export function formatDiagnostic(d: Diagnostic): string {
  const at = d.node ? ` (node ${d.node}${d.port ? `, port ${d.port}` : ""})` : "";
  return `${d.code}${at}: ${d.message}`;
}

/**
 * A diagnostic for people: the block by its name, what is wrong, the code last for those who
 * look codes up, e.g. `Agent "Support": The input "Model" needs a connection. (E202)`.
 * `nameOf` names a node id (see nodeNamer); a node it does not know is left out.
 */
export function describeDiagnostic(d: Diagnostic, nameOf: (nodeId: string) => string | undefined): string {
  const where = d.node ? nameOf(d.node) : undefined;
  return `${where ? `${where}: ` : ""}${d.message} (${d.code})`;
}

/**
 * What stops a graph from being used, in one sentence for people: `Fix this before running:
 * Agent "Support": … (E202)`, the first three problems named by block, the rest counted.
 */
export function describeErrors(errors: readonly Diagnostic[], before: string, nameOf: (nodeId: string) => string | undefined): string {
  const listed = errors.slice(0, 3).map((d) => describeDiagnostic(d, nameOf));
  const more = errors.length > 3 ? ` And ${errors.length - 3} more: see the Problems panel.` : "";
  return `Fix ${errors.length === 1 ? "this" : "these"} before ${before}: ${listed.join("; ")}${more}`;
}
