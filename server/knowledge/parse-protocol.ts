import type { DocumentFormat } from "./formats";
import type { KnowledgeLimits } from "./limits";
import type { Chunk, SplitOptions } from "./split";

/** The messages between the host and the document parser's worker thread. One job at a time. */
export type ParseJob = {
  id: number;
  name: string;
  format: DocumentFormat;
  bytes: Uint8Array;
  limits: Pick<KnowledgeLimits, "maxPages" | "maxUnpackedBytes" | "maxTextChars">;
  split: SplitOptions;
};

export type ParseOutcome =
  | { ok: true; chunks: Chunk[]; pages?: number; title?: string }
  /** `refused`: the file is at fault (the message is for its uploader); otherwise a bug of ours. */
  | { ok: false; refused: boolean; message: string };

export type ParseWorkerMessage =
  | { type: "ready" }
  /** Parsing is over and splitting has begun. */
  | { type: "chunking"; id: number }
  | { type: "done"; id: number; outcome: ParseOutcome };
