import { z } from "zod";
import { ImportError } from "./errors";
import { IMPORT_LIMITS } from "./limits";

/** Parses a file's outer shape with zod; a mismatch is an ImportError listing what is wrong. */
export function readEnvelope<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ImportError(
    "I415",
    `This ${what} file is not complete: ${parsed.error.issues.length === 1 ? "one problem" : `${parsed.error.issues.length} problems`}.`,
    parsed.error.issues.slice(0, 8).map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)),
  );
}

export function checkCounts(nodes: number, edges: number): void {
  if (nodes > IMPORT_LIMITS.maxNodes || edges > IMPORT_LIMITS.maxEdges) {
    throw new ImportError(
      "I414",
      `This file has ${nodes} nodes and ${edges} connections; an import takes at most ${IMPORT_LIMITS.maxNodes} nodes and ${IMPORT_LIMITS.maxEdges} connections.`,
    );
  }
}

/** A source id: any short string (ids are re-made for Skyloom; these only link the file together). */
export const SourceId = z.union([z.string().min(1).max(200), z.number().transform(String)]);
