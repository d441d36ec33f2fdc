/**
 * What one knowledge base document may be. A file over a limit is refused with a message that
 * says which limit and by how much, before anything is stored.
 */
export type KnowledgeLimits = {
  /** Bytes of one uploaded file (or one fetched web page). */
  maxFileBytes: number;
  /** Pages of one PDF. */
  maxPages: number;
  /** Bytes a DOCX (a zip) may unpack to: more is a zip bomb, not a document. */
  maxUnpackedBytes: number;
  /** Characters of text one document may yield. */
  maxTextChars: number;
  /** Bytes of files one team may keep in all its knowledge bases. */
  maxTeamBytes: number;
  /** How long parsing one document may take before its worker thread is ended. */
  parseTimeoutMs: number;
};

export const DEFAULT_KNOWLEDGE_LIMITS: KnowledgeLimits = {
  maxFileBytes: 50 * 1024 * 1024,
  maxPages: 2_000,
  maxUnpackedBytes: 200 * 1024 * 1024,
  maxTextChars: 20_000_000,
  maxTeamBytes: 1024 * 1024 * 1024,
  parseTimeoutMs: 120_000,
};

/** "512 bytes", "12.5 KB", "50 MB": sizes as a person reads them in an error message. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, "KB"] : bytes < 1024 ** 3 ? [bytes / 1024 / 1024, "MB"] : [bytes / 1024 ** 3, "GB"];
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${unit}`;
}
