import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { FORMAT_NAMES, IMPORT_LIMITS, ImportError, importFlowFile, type ImportReport } from "#agents/import/index";

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

/** The report for people: a summary line, then one line per entry with its code. */
export function formatImportReport(report: ImportReport, file: string): string {
  const c = report.counts;
  const lines = [
    `${file}: ${FORMAT_NAMES[report.format]} "${report.name}": ${c.mapped} of ${c.sourceNodes} nodes mapped, ${c.placeholders} placeholder notes, ` +
      `${c.secretsStripped} secrets not imported, ${c.edgesImported} of ${c.sourceEdges} connections imported.`,
  ];
  for (const e of report.entries) {
    const source = e.source ? ` (${e.source.type} ${e.source.id})` : "";
    const nodes = e.nodes ? ` → ${e.nodes.join(", ")}` : "";
    lines.push(`${e.severity}: ${e.code}${source}${nodes}: ${e.message}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * `skyloom import <file>`: a Flowise, Langflow or Dify export (or a Skyloom flow file) to a
 * Skyloom flow file on stdout, with the report on stderr. Nothing in the file is run. Exit 1
 * with the reason when the file is refused; the caller turns an unreadable file into exit 2.
 */
export function importCommand(file: string, io: Io, readError: (message: string) => Error): number {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > IMPORT_LIMITS.maxBytes) {
      io.stderr(`error: I411: ${file} is ${(size / 1024 / 1024).toFixed(1)} MB; an imported file is at most ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB.\n`);
      return 1;
    }
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw readError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const result = importFlowFile(text, basename(file));
    io.stdout(`${JSON.stringify({ name: result.name, graph: result.graph }, null, 2)}\n`);
    io.stderr(formatImportReport(result.report, basename(file)));
    return 0;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    io.stderr(`error: ${error.code}: ${basename(file)}: ${error.message}\n${error.details.map((d) => `  ${d}\n`).join("")}`);
    return 1;
  }
}
