import type { ImportErrorCode } from "#agents/import/errors";
import type { ImportResult } from "#agents/import/index";

/** The messages between the host and the import worker thread. One job at a time. */
export type ImportJob = { id: number; text: string; fileName?: string };

export type ImportOutcome =
  | { ok: true; result: ImportResult }
  /** The file is at fault: the importer refused it (ImportError), with its code and details. */
  | { ok: false; refused: true; code: ImportErrorCode; message: string; details: string[] }
  /** A bug of ours, or the thread ran out of time or memory. */
  | { ok: false; refused: false; message: string };

export type ImportWorkerMessage = { type: "ready" } | { type: "done"; id: number; outcome: ImportOutcome };
