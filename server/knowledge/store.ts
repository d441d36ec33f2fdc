import type Database from "better-sqlite3";
import type { Chunk } from "./split";

/**
 * The knowledge bases' search tables, written with SQL because drizzle does not know virtual
 * tables: knowledge_chunks_fts (FTS5, filled by triggers on knowledge_chunks, see the
 * migration) and one sqlite-vec table per vector length, `knowledge_vectors_<D>`, partitioned
 * by knowledge base so a search reads only its own base's vectors. Each vector table comes with
 * a trigger that deletes a chunk's vector with the chunk, so deleting a document or a base
 * (cascading to its chunks) leaves no vector behind.
 */

const MAX_DIMENSIONS = 8192;

export function vectorTable(dimensions: number): string {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    throw new Error(`Embeddings of ${dimensions} dimensions are not supported (1 to ${MAX_DIMENSIONS}).`);
  }
  return `knowledge_vectors_${dimensions}`;
}

/** Creates the vec0 table (and its delete trigger) for vectors of this length, once. */
export function ensureVectorTable(sqlite: Database.Database, dimensions: number): string {
  const table = vectorTable(dimensions);
  sqlite.exec(`
    create virtual table if not exists "${table}" using vec0(
      chunk_id integer primary key,
      kb_id text partition key,
      embedding float[${dimensions}] distance_metric=cosine
    );
    create trigger if not exists "${table}_delete" after delete on knowledge_chunks begin
      delete from "${table}" where chunk_id = old.id;
    end;
  `);
  return table;
}

export function vectorTableExists(sqlite: Database.Database, dimensions: number): boolean {
  return Boolean(sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(vectorTable(dimensions)));
}

/**
 * Replaces a document's chunks (and their vectors) with new ones. Run inside the transaction
 * that marks the document indexed, so a search sees the old set or the new one, never a mix.
 */
export function replaceChunks(
  sqlite: Database.Database,
  target: { knowledgeBaseId: string; documentId: string },
  chunks: readonly Chunk[],
  vectors: readonly Float32Array[] | null,
): void {
  sqlite.prepare("delete from knowledge_chunks where document_id = ?").run(target.documentId);
  const insert = sqlite.prepare("insert into knowledge_chunks (knowledge_base_id, document_id, ord, text, page, heading) values (?, ?, ?, ?, ?, ?)");
  const insertVector = vectors && vectors.length > 0 ? sqlite.prepare(`insert into "${ensureVectorTable(sqlite, (vectors[0] as Float32Array).length)}" (chunk_id, kb_id, embedding) values (?, ?, ?)`) : null;
  chunks.forEach((chunk, ord) => {
    const { lastInsertRowid } = insert.run(target.knowledgeBaseId, target.documentId, ord, chunk.text, chunk.page ?? null, chunk.heading ?? null);
    if (insertVector) insertVector.run(BigInt(lastInsertRowid), target.knowledgeBaseId, vectors?.[ord] as Float32Array);
  });
}

/** Drops every vector of a base (its embedding model changed; the documents are re-embedded). */
export function deleteBaseVectors(sqlite: Database.Database, knowledgeBaseId: string, dimensions: number | null): void {
  if (dimensions === null || !vectorTableExists(sqlite, dimensions)) return;
  sqlite.prepare(`delete from "${vectorTable(dimensions)}" where kb_id = ?`).run(knowledgeBaseId);
}

export type ChunkHit = {
  id: number;
  documentId: string;
  documentName: string;
  sourceUrl: string | null;
  ord: number;
  text: string;
  page: number | null;
  heading: string | null;
};

const HIT_COLUMNS = `c.id, c.document_id as documentId, d.name as documentName, d.source_url as sourceUrl, c.ord, c.text, c.page, c.heading`;

/** A base's id as the keyword index holds it: one token (the tokenizer would split at "_"). */
export const ftsBaseToken = (knowledgeBaseId: string) => knowledgeBaseId.replace(/_/g, "").toLowerCase();

/**
 * BM25 over FTS5, best first, within one base: the MATCH names the base's token in its column,
 * so FTS5 reads only that base's entries (bm25 weighs the text column alone). The join on the
 * base's id keeps another base's chunks out whatever the query; documents are joined to the
 * best rows only (chunks exist only for indexed documents; the status check is a second lock).
 */
export function keywordSearch(sqlite: Database.Database, knowledgeBaseId: string, terms: string, limit: number): (ChunkHit & { bm25: number })[] {
  const match = `knowledge_base_id : "${ftsBaseToken(knowledgeBaseId).replace(/"/g, "")}" AND text : (${terms})`;
  return sqlite
    .prepare(
      `select c.id, c.document_id as documentId, d.name as documentName, d.source_url as sourceUrl, c.ord, c.text, c.page, c.heading, c.bm25
       from (
         select c.*, bm25(knowledge_chunks_fts, 1.0, 0.0) as bm25
         from knowledge_chunks_fts f join knowledge_chunks c on c.id = f.rowid
         where knowledge_chunks_fts match ? and c.knowledge_base_id = ?
         order by bm25 limit ?
       ) c
       join knowledge_documents d on d.id = c.document_id
       where d.status = 'indexed'
       order by c.bm25`,
    )
    .all(match, knowledgeBaseId, limit) as (ChunkHit & { bm25: number })[];
}

/** Exact nearest neighbours by cosine distance within the base's partition, best first. */
export function vectorSearch(
  sqlite: Database.Database,
  knowledgeBaseId: string,
  query: Float32Array,
  limit: number,
): (ChunkHit & { distance: number })[] {
  if (!vectorTableExists(sqlite, query.length)) return [];
  const nearest = sqlite
    .prepare(`select chunk_id as id, distance from "${vectorTable(query.length)}" where embedding match ? and k = ? and kb_id = ?`)
    .all(query, limit, knowledgeBaseId) as { id: number; distance: number }[];
  if (nearest.length === 0) return [];
  const rows = sqlite
    .prepare(
      `select ${HIT_COLUMNS} from knowledge_chunks c join knowledge_documents d on d.id = c.document_id
       where c.id in (select value from json_each(?)) and c.knowledge_base_id = ? and d.status = 'indexed'`,
    )
    .all(JSON.stringify(nearest.map((n) => n.id)), knowledgeBaseId) as ChunkHit[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return nearest.flatMap((n) => {
    const row = byId.get(n.id);
    return row ? [{ ...row, distance: n.distance }] : [];
  });
}
