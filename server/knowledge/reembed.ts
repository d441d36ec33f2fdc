import type Database from "better-sqlite3";
import { and, eq } from "drizzle-orm";
import type { Db } from "#db/client";
import { knowledgeBases, knowledgeReembeds, knowledgeVectorStaging } from "#db/schema";
import type { KnowledgeBaseRow } from "./bases";
import { EmbeddingsError } from "./embeddings";
import { deleteBaseVectors } from "./store";
import { vectorBlob, vectorCode } from "./vector-codes";

/**
 * Changing a base's embeddings model: every chunk is embedded again with the new settings into
 * knowledge_vector_staging, batch by batch (the progress a person sees), while the base keeps
 * its settings and vectors, so searches go on with the old model. When every chunk has a staged
 * vector, one transaction swaps the new vectors and settings in. Chunks added or replaced
 * meanwhile (an upload, a re-index) have no staged vector yet and are embedded before the swap.
 */

export type ReembedRow = typeof knowledgeReembeds.$inferSelect;
export type EmbeddingSettings = Pick<KnowledgeBaseRow, "embeddingBaseUrl" | "embeddingModel" | "embeddingCredentialId">;
export type ReembedDeps = { db: Db; sqlite: Database.Database; embeddingsFor: (base: KnowledgeBaseRow) => Promise<{ embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> }> };

/** Texts per request to the embeddings server, and per progress step. */
const BATCH = 128;

/** Asks for the base to be re-embedded with `settings` (in the caller's transaction); a request under way is replaced. */
export function requestReembed(db: Db, base: KnowledgeBaseRow, settings: EmbeddingSettings): void {
  const current = reembedOf(db, base.id);
  const same =
    current?.embeddingBaseUrl === settings.embeddingBaseUrl && current.embeddingModel === settings.embeddingModel && current.embeddingCredentialId === settings.embeddingCredentialId;
  if (same && current.status === "running") return; // saved again (a new name): keep what is staged
  db.delete(knowledgeVectorStaging).where(eq(knowledgeVectorStaging.knowledgeBaseId, base.id)).run();
  const row = { ...settings, status: "running" as const, progress: 0, error: null, requestedAt: new Date() };
  db.insert(knowledgeReembeds)
    .values({ knowledgeBaseId: base.id, teamId: base.teamId, ...row })
    .onConflictDoUpdate({ target: knowledgeReembeds.knowledgeBaseId, set: row })
    .run();
}

/** Drops a request under way (the model was changed back) and what it staged. */
export function cancelReembed(db: Db, knowledgeBaseId: string): void {
  db.delete(knowledgeVectorStaging).where(eq(knowledgeVectorStaging.knowledgeBaseId, knowledgeBaseId)).run();
  db.delete(knowledgeReembeds).where(eq(knowledgeReembeds.knowledgeBaseId, knowledgeBaseId)).run();
}

export function reembedOf(db: Db, knowledgeBaseId: string): ReembedRow | undefined {
  return db.select().from(knowledgeReembeds).where(eq(knowledgeReembeds.knowledgeBaseId, knowledgeBaseId)).get();
}

const isCurrent = (db: Db, row: ReembedRow) => {
  const now = reembedOf(db, row.knowledgeBaseId);
  return now !== undefined && now.status === "running" && now.requestedAt.getTime() === row.requestedAt.getTime();
};

/** Runs one request to its swap; returns early (and quietly) if the request was replaced or its base deleted. */
export async function runReembed(deps: ReembedDeps, row: ReembedRow, signal: AbortSignal): Promise<void> {
  const { db, sqlite } = deps;
  const base = db.select().from(knowledgeBases).where(eq(knowledgeBases.id, row.knowledgeBaseId)).get();
  if (!base) return;
  const client = await deps.embeddingsFor({ ...base, embeddingBaseUrl: row.embeddingBaseUrl, embeddingModel: row.embeddingModel, embeddingCredentialId: row.embeddingCredentialId });
  const unstaged = sqlite.prepare(
    `select c.id, c.text from knowledge_chunks c where c.knowledge_base_id = ?
     and not exists (select 1 from knowledge_vector_staging s where s.chunk_id = c.id) order by c.id limit ?`,
  );
  for (;;) {
    if (signal.aborted) throw new Error("stopped");
    const batch = unstaged.all(row.knowledgeBaseId, BATCH) as { id: number; text: string }[];
    if (batch.length === 0) {
      if (swap(deps, row) !== "unstaged chunks") return;
      continue;
    }
    const vectors = await client.embed(
      batch.map((c) => c.text),
      signal,
    );
    if (!stage(deps, row, batch, vectors)) return;
  }
}

/** Writes a batch's vectors to staging and the progress; false when the request was replaced meanwhile. */
function stage(deps: ReembedDeps, row: ReembedRow, batch: { id: number }[], vectors: Float32Array[]): boolean {
  const { db, sqlite } = deps;
  return sqlite.transaction(() => {
    if (!isCurrent(db, row)) return false;
    const staged = sqlite.prepare("select length(embedding) / 4 as dimensions from knowledge_vector_staging where knowledge_base_id = ? limit 1").get(row.knowledgeBaseId) as
      | { dimensions: number }
      | undefined;
    const dimensions = staged?.dimensions ?? vectors[0]?.length;
    // A chunk deleted while its batch was embedded is skipped (the select finds no row).
    const insert = sqlite.prepare(
      "insert or replace into knowledge_vector_staging (chunk_id, knowledge_base_id, embedding, code) select id, knowledge_base_id, ?, ? from knowledge_chunks where id = ?",
    );
    batch.forEach((chunk, i) => {
      const vector = vectors[i];
      if (!vector || vector.length !== dimensions) throw new EmbeddingsError(`The embeddings model answered vectors of different lengths (${dimensions} and ${vector?.length ?? "none"}).`);
      insert.run(vectorBlob(vector), Buffer.from(vectorCode(vector)), chunk.id);
    });
    const counts = sqlite
      .prepare(
        "select (select count(*) from knowledge_vector_staging where knowledge_base_id = ?) as staged, (select count(*) from knowledge_chunks where knowledge_base_id = ?) as total",
      )
      .get(row.knowledgeBaseId, row.knowledgeBaseId) as { staged: number; total: number };
    const progress = counts.total === 0 ? 1000 : Math.min(1000, Math.round((counts.staged / counts.total) * 1000));
    db.update(knowledgeReembeds).set({ progress }).where(eq(knowledgeReembeds.knowledgeBaseId, row.knowledgeBaseId)).run();
    return true;
  })();
}

/**
 * The one transaction that makes the new vectors and settings the base's: only when every
 * chunk has a staged vector and the request is still the current one.
 */
function swap(deps: ReembedDeps, row: ReembedRow): "swapped" | "replaced" | "unstaged chunks" {
  const { db, sqlite } = deps;
  const kb = row.knowledgeBaseId;
  return sqlite.transaction(() => {
    if (!isCurrent(db, row)) return "replaced" as const;
    const missing = sqlite.prepare("select 1 from knowledge_chunks c where c.knowledge_base_id = ? and not exists (select 1 from knowledge_vector_staging s where s.chunk_id = c.id) limit 1").get(kb);
    if (missing) return "unstaged chunks" as const;
    const staged = sqlite.prepare("select length(embedding) / 4 as dimensions from knowledge_vector_staging where knowledge_base_id = ? limit 1").get(kb) as { dimensions: number } | undefined;
    deleteBaseVectors(sqlite, kb);
    sqlite.prepare("insert into knowledge_chunk_vectors (chunk_id, knowledge_base_id, embedding) select chunk_id, knowledge_base_id, embedding from knowledge_vector_staging where knowledge_base_id = ?").run(kb);
    sqlite.prepare("insert into knowledge_vector_codes (chunk_id, kb_id, code) select chunk_id, knowledge_base_id, vec_bit(code) from knowledge_vector_staging where knowledge_base_id = ?").run(kb);
    db.update(knowledgeBases)
      .set({ embeddingBaseUrl: row.embeddingBaseUrl, embeddingModel: row.embeddingModel, embeddingCredentialId: row.embeddingCredentialId, embeddingDimensions: staged?.dimensions ?? null })
      .where(and(eq(knowledgeBases.id, kb), eq(knowledgeBases.teamId, row.teamId)))
      .run();
    cancelReembed(db, kb);
    return "swapped" as const;
  })();
}

/** The request failed (the embeddings server refused, the model answered nonsense): the base keeps its vectors. */
export function failReembed(db: Db, row: ReembedRow, message: string): void {
  if (!isCurrent(db, row)) return;
  db.update(knowledgeReembeds).set({ status: "failed", error: message }).where(eq(knowledgeReembeds.knowledgeBaseId, row.knowledgeBaseId)).run();
}
