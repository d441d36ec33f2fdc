import { blockRegistry } from "#agents/blocks/index";
import { redactPlainSecrets } from "#agents/compile/secrets";
import {
  checkGraphIntegrity,
  parseFlowFile,
  parseFragment,
  serializeFlowFile,
  type FlowFile,
  type FlowFileRead,
  type FragmentRead,
  type GraphChange,
} from "#agents/graph/index";

/**
 * The flow file as the editor reads and writes it. The format, limits and upgrades are the
 * kernel's (agents/graph/flow-file.ts); the editor adds its own rules: an exported file never
 * carries a plain-text secret, and an imported or pasted graph must be storable (known block
 * types, edges to real ports), so a bad file is refused before anything on the canvas changes.
 */
export { flowFileName, type FlowFile } from "#agents/graph/index";

/** The file's text, and which plain-text values under secret-looking names were left out. */
export function exportFlowFile(file: FlowFile): { text: string; redacted: { node: string; name: string }[] } {
  const { graph, redacted } = redactPlainSecrets(file.graph);
  return { text: serializeFlowFile({ name: file.name, graph }), redacted };
}

/** A flow file's text, read and upgraded for this build; refused when it could not be saved. */
export function readFlowFileForEditor(text: string): FlowFileRead {
  const read = parseFlowFile(text, blockRegistry);
  if (!read.ok) return read;
  const problems = checkGraphIntegrity(read.file.graph, blockRegistry.resolvePorts);
  if (problems.length > 0) {
    return {
      ok: false,
      message: `This flow file cannot be loaded: ${problems.length === 1 ? "one problem" : `${problems.length} problems`}.`,
      details: problems.slice(0, 8).map((p) => p.message),
    };
  }
  return read;
}

/** Pasted text as blocks for this build; unknown block types are refused (they could not be saved). */
export function readFragmentForEditor(text: string): FragmentRead {
  const read = parseFragment(text, blockRegistry);
  if (!read.ok) return read;
  const unknown = read.problems.find((p) => p.kind === "unknown-block");
  if (unknown) return { ok: false, message: `The pasted blocks include an unknown type "${unknown.type}".`, details: [] };
  return read;
}

/** " 2 blocks were upgraded from an older Skyloom." for a notice, or "" when nothing was. */
export function upgradeNotice(read: { changes: readonly GraphChange[] }): string {
  const blocks = read.changes.filter((c) => c.kind === "block").length;
  if (blocks === 0) return "";
  return ` ${blocks === 1 ? "One block was" : `${blocks} blocks were`} upgraded from an older Skyloom.`;
}
