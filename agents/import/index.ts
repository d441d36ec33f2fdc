import { detectFormat } from "./detect";
import { importDifyValue } from "./dify";
import { ImportError } from "./errors";
import { importFlowiseValue } from "./flowise";
import { importAgentflowValue } from "./flowise-agentflow";
import { importLangflowValue } from "./langflow";
import { FORMAT_NAMES, type ImportFormat, type ImportResult } from "./report";
import { parseJsonSafely, parseYamlSafely } from "./safe-parse";
import { importSkyloomValue } from "./skyloom";

/**
 * Importers: another builder's export (or a Skyloom flow file) → a Skyloom graph and a
 * report of every mapping. Pure functions: nothing in a file is run, fetched or stored; a
 * file that cannot be imported throws an ImportError before anything is built.
 */
export { ImportError } from "./errors";
export { detectFormat } from "./detect";
export { IMPORT_LIMITS } from "./limits";
export { FORMAT_NAMES } from "./report";
export type { ImportEntry, ImportFormat, ImportReport, ImportResult } from "./report";

/** A file name's stem, as the flow's name when the file has none. */
function nameFrom(filename: string | undefined, fallback: string): string {
  const stem = (filename ?? "")
    .replace(/^.*[\\/]/, "")
    .replace(/(\.flow)?\.(json|ya?ml)$/i, "")
    .trim();
  return (stem || fallback).slice(0, 120);
}

/** Reads text as YAML for a .yml/.yaml name or text that does not start like JSON; else JSON. */
function parse(text: string, filename: string | undefined): unknown {
  const yamlName = /\.ya?ml$/i.test(filename ?? "");
  return yamlName || !/^\s*[[{]/.test(text) ? parseYamlSafely(text) : parseJsonSafely(text);
}

/** A Flowise chatflow or Agentflow V2 export (JSON). */
export function importFlowise(text: string, filename?: string): ImportResult {
  return importAs(parseJsonSafely(text), "flowise", filename);
}

/** A Langflow flow export (JSON). */
export function importLangflow(text: string, filename?: string): ImportResult {
  return importAs(parseJsonSafely(text), "langflow", filename);
}

/** A Dify app DSL (YAML). */
export function importDify(text: string, filename?: string): ImportResult {
  return importAs(parseYamlSafely(text), "dify", filename);
}

/** Any supported file, its format detected from the content. */
export function importFlowFile(text: string, filename?: string): ImportResult {
  const value = parse(text, filename);
  const format = detectFormat(value);
  if (!format) {
    throw new ImportError(
      "I410",
      "This file is not a flow Skyloom can import: it should be a Skyloom flow file, a Flowise chatflow or Agentflow export (JSON), a Langflow flow (JSON) or a Dify app DSL (YAML).",
    );
  }
  return importAs(value, format, filename);
}

function importAs(value: unknown, format: ImportFormat, filename: string | undefined): ImportResult {
  const name = nameFrom(filename, `Imported ${FORMAT_NAMES[format]}`);
  switch (format) {
    case "skyloom":
      return importSkyloomValue(value);
    case "flowise":
    case "flowise-agentflow":
      return detectFormat(value) === "flowise-agentflow" ? importAgentflowValue(value, name) : importFlowiseValue(value, name);
    case "langflow":
      return importLangflowValue(value, name);
    case "dify":
      return importDifyValue(value, name);
  }
}
