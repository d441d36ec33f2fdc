import type { DiagnosticCode } from "../graph/diagnostics";
import type { GraphDoc } from "../graph/doc";

export type ImportFormat = "skyloom" | "flowise" | "flowise-agentflow" | "langflow" | "dify";

export const FORMAT_NAMES: Record<ImportFormat, string> = {
  skyloom: "Skyloom flow file",
  flowise: "Flowise chatflow",
  "flowise-agentflow": "Flowise Agentflow V2",
  langflow: "Langflow flow",
  dify: "Dify app (DSL)",
};

/** The codes an import reports per node or connection (I40x in the diagnostic catalog). */
export type ImportEntryCode = Extract<DiagnosticCode, "I401" | "I402" | "I403" | "I404" | "I405" | "I406" | "I407" | "I408">;

/** The node of the source file an entry is about. */
export type SourceRef = { id: string; type: string; label?: string };

/**
 * One line of the report: what happened to a source node (mapped to blocks, replaced by a
 * placeholder note), to one of its settings (a secret stripped, code kept as text), or to a
 * connection. `nodes` are the Skyloom node ids it became, so the canvas can point at them.
 */
export type ImportEntry = {
  code: ImportEntryCode;
  severity: "info" | "warning";
  source?: SourceRef;
  nodes?: string[];
  message: string;
};

export type ImportReport = {
  format: ImportFormat;
  name: string;
  counts: {
    sourceNodes: number;
    sourceEdges: number;
    /** Source nodes that became Skyloom blocks (a note that was a note counts here too). */
    mapped: number;
    /** Source nodes replaced by a placeholder note. */
    placeholders: number;
    secretsStripped: number;
    edgesImported: number;
    edgesDropped: number;
  };
  entries: ImportEntry[];
};

export type ImportResult = { name: string; graph: GraphDoc; report: ImportReport };
