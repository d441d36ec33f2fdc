import type { RouterOutputs } from "#app/lib/trpc";

export type DocumentRow = Omit<RouterOutputs["knowledge"]["documents"]["list"][number], "createdAt" | "indexedAt"> & { createdAt: Date | string; indexedAt: Date | string | null };

const STAGE_LABELS: Record<string, string> = {
  queued: "Waiting",
  parsing: "Parsing",
  chunking: "Chunking",
  embedding: "Embedding",
  indexing: "Indexing",
  indexed: "Indexed",
};

/** What a document's row says: its job's stage while one runs, else its status. */
export function documentStage(row: DocumentRow): { label: string; busy: boolean; progress: number | null } {
  const job = row.job;
  if (job && (job.status === "queued" || job.status === "running")) {
    return { label: STAGE_LABELS[job.stage] ?? job.stage, busy: true, progress: job.stage === "embedding" ? job.progress : null };
  }
  if (row.status === "failed") return { label: "Failed", busy: false, progress: null };
  if (row.status === "processing") return { label: "Waiting", busy: true, progress: null };
  return { label: "Indexed", busy: false, progress: null };
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 102.4) / 10} KB`;
  return `${Math.round(bytes / 1024 / 102.4) / 10} MB`;
}
