import { z } from "zod";
import { blockRegistry } from "../blocks/index";
import { redactPlainSecrets } from "../compile/secrets";
import { graphByteSize, GRAPH_LIMITS } from "../graph/doc";
import { checkGraphIntegrity } from "../graph/integrity";
import { describeChange, GraphFormatError, upgradeGraph } from "../graph/upgrade";
import { ImportBuilder } from "./builder";
import { readEnvelope } from "./envelope";
import { ImportError } from "./errors";
import type { ImportResult } from "./report";

const FlowFileSchema = z.object({
  name: z.string().trim().min(1, "The file has no flow name").max(120, "The flow name is longer than 120 characters"),
  // Read by the kernel's upgrade below: an older file's blocks are brought up to date first.
  graph: z.unknown(),
});

/**
 * A Skyloom flow file (`{ name, graph }`), taken as it is after the checks the server makes;
 * plain-text secrets in workload variables are blanked and reported, as on export.
 */
export function importSkyloomValue(value: unknown): ImportResult {
  const envelope = readEnvelope(FlowFileSchema, value, "Skyloom flow");
  let upgraded;
  try {
    upgraded = upgradeGraph(envelope.graph, blockRegistry);
  } catch (error) {
    if (!(error instanceof GraphFormatError)) throw error;
    throw new ImportError("I415", error.message, error.details("graph").slice(0, 8));
  }
  const file = { name: envelope.name, graph: upgraded.graph };
  const bytes = graphByteSize(file.graph);
  if (bytes > GRAPH_LIMITS.maxBytes) throw new ImportError("I411", `The flow in this file is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${GRAPH_LIMITS.maxBytes / 1024 / 1024} MB.`);
  const problems = checkGraphIntegrity(file.graph, blockRegistry.resolvePorts);
  if (problems.length > 0) {
    throw new ImportError("I415", `This flow file cannot be loaded: ${problems.length === 1 ? "one problem" : `${problems.length} problems`}.`, problems.slice(0, 8).map((p) => p.message));
  }
  const { graph, redacted } = redactPlainSecrets(file.graph);
  const b = new ImportBuilder("skyloom", file.name, 1);
  for (const change of upgraded.changes) b.entry("I406", "info", undefined, `${describeChange(change)}: its settings were brought up to date.`);
  for (const r of redacted) b.secret({ id: r.node, type: graph.nodes.find((n) => n.id === r.node)?.type ?? "?" }, r.name);
  const result = b.finish(graph.nodes.length, graph.edges.length);
  return {
    name: file.name,
    graph,
    report: { ...result.report, counts: { ...result.report.counts, mapped: graph.nodes.length, edgesImported: graph.edges.length } },
  };
}
