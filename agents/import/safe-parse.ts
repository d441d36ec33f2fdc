import { parseDocument } from "yaml";
import { ImportError } from "./errors";
import { IMPORT_LIMITS } from "./limits";

/** Keys that would reach Object.prototype if a later step copied the object naively. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function checkSize(text: string): void {
  // Cheap bounds first: a string of n UTF-16 units takes between n and 3n bytes in UTF-8.
  if (text.length * 3 <= IMPORT_LIMITS.maxBytes) return;
  const bytes = text.length > IMPORT_LIMITS.maxBytes ? text.length : new TextEncoder().encode(text).length;
  if (bytes > IMPORT_LIMITS.maxBytes) {
    throw new ImportError(
      "I411",
      `This file is ${text.length > IMPORT_LIMITS.maxBytes ? "at least " : ""}${(bytes / 1024 / 1024).toFixed(1)} MB; an imported file is at most ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB.`,
    );
  }
}

/**
 * Refuses text nested deeper than the limit before any parser sees it, so neither JSON.parse
 * nor the YAML parser can be driven into deep recursion. Counts brackets outside strings;
 * for YAML it also counts indentation steps as a second bound (flow and block styles).
 */
function checkBracketDepth(text: string): void {
  let depth = 0;
  let inString: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\" && inString === '"') i++;
      else if (c === inString) inString = null;
      continue;
    }
    if (c === '"') inString = '"';
    else if (c === "{" || c === "[") {
      if (++depth > IMPORT_LIMITS.maxDepth) throw tooDeep();
    } else if (c === "}" || c === "]") depth--;
    else if (c === "\n") inString = null; // YAML plain scalars may hold a lone quote; a line ends them
  }
}

/** Block-style YAML nests by indentation; real exports indent a few dozen spaces at most. */
const MAX_INDENT = 256;

function checkIndentation(text: string): void {
  let run = 0;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      run = 0;
      atLineStart = true;
    } else if (atLineStart && (c === 32 || c === 45)) {
      // Spaces and "- " sequence markers both nest a level deeper.
      if (++run > MAX_INDENT) throw tooDeep();
    } else atLineStart = false;
  }
}

function tooDeep(): ImportError {
  return new ImportError("I412", `This file is nested more than ${IMPORT_LIMITS.maxDepth} levels deep; no flow export is, so it is refused.`);
}

/**
 * Walks a parsed value without recursion: refuses forbidden keys and excess depth, and
 * returns the value unchanged. Every importer reads only what this has checked.
 */
export function checkTree(root: unknown): void {
  // Paths are not built while walking (that doubled the time on large files); the key is named.
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== "object") continue;
    if (depth > IMPORT_LIMITS.maxDepth) throw tooDeep();
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === "object") stack.push([item, depth + 1]);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new ImportError("I413", `This file has a key "${key}"; such keys are refused because they can change how objects behave.`);
      }
      const item = (value as Record<string, unknown>)[key];
      if (item !== null && typeof item === "object") stack.push([item, depth + 1]);
    }
  }
}

export function parseJsonSafely(text: string): unknown {
  checkSize(text);
  checkBracketDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ImportError("I415", `This file is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  checkTree(value);
  return value;
}

export function parseYamlSafely(text: string): unknown {
  checkSize(text);
  // The YAML parser is far slower than JSON.parse (seconds per MB on a busy machine), and
  // parsing runs on the server's thread, so YAML files get a tighter limit; Dify DSL files are
  // tens of kilobytes.
  if (text.length > IMPORT_LIMITS.maxYamlBytes) {
    throw new ImportError("I411", `This YAML file is over ${IMPORT_LIMITS.maxYamlBytes / 1024 / 1024} MB; an imported YAML file is at most ${IMPORT_LIMITS.maxYamlBytes / 1024 / 1024} MB.`);
  }
  checkBracketDepth(text);
  checkIndentation(text);
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep();
    throw error;
  }
  const problem = doc.errors[0];
  if (problem && /call stack/i.test(problem.message)) throw tooDeep();
  if (problem) throw new ImportError("I415", `This file is not valid YAML: ${problem.message.split("\n")[0]}`);
  let value: unknown;
  try {
    // maxAliasCount bounds the work of expanding aliases: a "billion laughs" file is refused here.
    value = doc.toJS({ maxAliasCount: IMPORT_LIMITS.maxAliasCount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/alias/i.test(message)) {
      throw new ImportError("I416", `This YAML file expands its aliases too many times (limit ${IMPORT_LIMITS.maxAliasCount}); it is refused.`);
    }
    if (error instanceof RangeError) throw tooDeep();
    throw new ImportError("I415", `This YAML file cannot be read: ${message}`);
  }
  checkTree(value);
  return value;
}
