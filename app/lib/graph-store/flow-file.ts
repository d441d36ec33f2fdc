import { z } from "zod";
import { blockRegistry } from "#agents/blocks/index";
import { redactPlainSecrets } from "#agents/compile/secrets";
import { checkGraphIntegrity, GRAPH_LIMITS, GraphDocSchema, graphByteSize, type GraphDoc } from "#agents/graph/index";

/**
 * The flow file (`flow.json`): `{ name, graph }`, the same file the CLI compiles. Import
 * checks everything the server would (schema, size, known blocks, edges to real ports) so a
 * bad file is refused with a reason before anything on the canvas changes.
 */
export type FlowFile = { name: string; graph: GraphDoc };

const FlowFileSchema = z.object({
  name: z.string().trim().min(1, "The file has no flow name").max(120, "The flow name is longer than 120 characters"),
  graph: GraphDocSchema,
});

/**
 * The file's text. Plain-text values under secret-looking variable names are left out (an
 * exported file must never carry a secret); `redacted` says which, so the editor can tell.
 */
export function serializeFlowFile(file: FlowFile): string {
  return exportFlowFile(file).text;
}

export function exportFlowFile(file: FlowFile): { text: string; redacted: { node: string; name: string }[] } {
  const { graph, redacted } = redactPlainSecrets(file.graph);
  return { text: `${JSON.stringify({ name: file.name, graph }, null, 2)}\n`, redacted };
}

/** A file name for the download: the flow's name, made safe, ending in .flow.json. */
export function flowFileName(name: string): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `${safe || "flow"}.flow.json`;
}

export type ParsedFlowFile = { ok: true; file: FlowFile } | { ok: false; message: string; details: string[] };

function fail(message: string, details: string[] = []): ParsedFlowFile {
  return { ok: false, message, details: details.slice(0, 8) };
}

export function parseFlowFile(text: string): ParsedFlowFile {
  if (new TextEncoder().encode(text).length > GRAPH_LIMITS.maxBytes * 2) {
    return fail(`This file is too large; a flow file is at most ${GRAPH_LIMITS.maxBytes / 1024 / 1024} MB.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail("This file is not valid JSON, so it is not a Skyloom flow file.", [
      error instanceof Error ? error.message : String(error),
    ]);
  }
  const parsed = FlowFileSchema.safeParse(data);
  if (!parsed.success) {
    return fail(
      "This is not a Skyloom flow file: it needs a name and a graph (schemaVersion 1, nodes, edges).",
      parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)),
    );
  }
  const bytes = graphByteSize(parsed.data.graph);
  if (bytes > GRAPH_LIMITS.maxBytes) {
    return fail(`The flow in this file is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${GRAPH_LIMITS.maxBytes / 1024 / 1024} MB.`);
  }
  const problems = checkGraphIntegrity(parsed.data.graph, blockRegistry.resolvePorts);
  if (problems.length > 0) {
    return fail(
      `This flow file cannot be loaded: ${problems.length === 1 ? "one problem" : `${problems.length} problems`}.`,
      problems.map((p) => p.message),
    );
  }
  return { ok: true, file: parsed.data };
}
