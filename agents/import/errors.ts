import type { DiagnosticCode } from "../graph/diagnostics";

/** The codes a refused file is reported with (I41x in the diagnostic catalog). */
export type ImportErrorCode = Extract<DiagnosticCode, "I410" | "I411" | "I412" | "I413" | "I414" | "I415" | "I416">;

/**
 * A file that cannot be imported at all: not a known format, too large, too deep, a forbidden
 * key, or malformed. Thrown before anything is built, so nothing is created.
 */
export class ImportError extends Error {
  override name = "ImportError";
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    /** Up to a few specific problems (schema issues with their paths). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}
