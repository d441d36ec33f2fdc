import type Database from "better-sqlite3";
import type { Chunk } from "./split";
import { vectorBlob, vectorCode } from "./vector-codes";

/**
 * The knowledge bases' search tables, written with SQL because drizzle does not know virtual
 * tables: knowledge_chunks_fts (FTS5, filled by triggers on knowledge_chunks) and, for vectors,
 * knowledge_vector_codes (sqlite-vec, a 1,024-bit code per chunk, partitioned by knowledge
 * base) beside knowledge_chunk_vectors (the float32 embeddings). A vector search reads its
 * base's codes to find candidates and scores only those exactly (ADR 026). Deleting a chunk
 * (a document or a base cascading to it) deletes its code by trigger and its floats by cascade.
 */

const MAX_DIMENSIONS = 8192;

export function assertDimensions(dimensions: number): void {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    throw new Error(`Embeddings of ${dimensions} dimensions are not supported (1 to ${MAX_DIMENSIONS}).`);
  }
}

/** Writes chunks' vectors: the floats for exact scoring, the codes for the coarse pass. */
export function insertVectors(sqlite: Database.Database, knowledgeBaseId: string, entries: readonly { chunkId: number | bigint; vector: Float32Array }[]): void {
  if (entries.length === 0) return;
  assertDimensions((entries[0] as { vector: Float32Array }).vector.length);
  const insertFloats = sqlite.prepare("insert into knowledge_chunk_vectors (chunk_id, knowledge_base_id, embedding) values (?, ?, ?)");
  const insertCode = sqlite.prepare("insert into knowledge_vector_codes (chunk_id, kb_id, code) values (?, ?, vec_bit(?))");
  for (const { chunkId, vector } of entries) {
    insertFloats.run(chunkId, knowledgeBaseId, vectorBlob(vector));
    insertCode.run(BigInt(chunkId), knowledgeBaseId, vectorCode(vector));
  }
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
  const written: { chunkId: number | bigint; vector: Float32Array }[] = [];
  chunks.forEach((chunk, ord) => {
    const { lastInsertRowid } = insert.run(target.knowledgeBaseId, target.documentId, ord, chunk.text, chunk.page ?? null, chunk.heading ?? null);
    const vector = vectors?.[ord];
    if (vector) written.push({ chunkId: lastInsertRowid, vector });
  });
  insertVectors(sqlite, target.knowledgeBaseId, written);
}

/** Drops every vector of a base. */
export function deleteBaseVectors(sqlite: Database.Database, knowledgeBaseId: string): void {
  sqlite.prepare("delete from knowledge_vector_codes where kb_id = ?").run(knowledgeBaseId);
  sqlite.prepare("delete from knowledge_chunk_vectors where knowledge_base_id = ?").run(knowledgeBaseId);
}

/**
 * Moves vectors from the first layout (one float vec0 table per length, `knowledge_vectors_<D>`,
 * exact scans) into codes and floats, in one transaction, and drops the old tables. Runs at start.
 */
export function upgradeVectorStore(sqlite: Database.Database): number {
  const legacy = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name glob 'knowledge_vectors_[0-9]*' and sql like 'CREATE VIRTUAL TABLE%'")
    .all() as { name: string }[];
  let moved = 0;
  sqlite.transaction(() => {
    for (const { name } of legacy) {
      if (!/^knowledge_vectors_\d+$/.test(name)) continue;
      const rows = sqlite.prepare(`select chunk_id as chunkId, kb_id as kb, embedding from "${name}"`).all() as { chunkId: number; kb: string; embedding: Buffer }[];
      for (const row of rows) {
        const vector = new Float32Array(row.embedding.buffer.slice(row.embedding.byteOffset, row.embedding.byteOffset + row.embedding.byteLength));
        insertVectors(sqlite, row.kb, [{ chunkId: row.chunkId, vector }]);
      }
      moved += rows.length;
      sqlite.exec(`drop trigger if exists "${name}_delete"; drop table "${name}";`);
    }
  })();
  return moved;
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

/**
 * Candidates the coarse pass hands to exact scoring, for `limit` results: ten times as many,
 * at least 200 (sqlite-vec's k is at most 4096). Measured recall and speed: ADR 026.
 */
export const coarseCandidates = (limit: number) => Math.min(4096, Math.max(200, limit * 10));

/**
 * Nearest neighbours by cosine distance within one base, best first: the base's codes give
 * the candidates nearest by Hamming distance (about the angle), their floats give the exact
 * cosine distance, and only those are ranked. A base with no more vectors than candidates is
 * searched exactly.
 */
export function vectorSearch(
  sqlite: Database.Database,
  knowledgeBaseId: string,
  query: Float32Array,
  limit: number,
): (ChunkHit & { distance: number })[] {
  const candidates = sqlite
    .prepare("select chunk_id as id from knowledge_vector_codes where code match vec_bit(?) and k = ? and kb_id = ?")
    .all(vectorCode(query), coarseCandidates(limit), knowledgeBaseId) as { id: number }[];
  if (candidates.length === 0) return [];
  const nearest = sqlite
    .prepare(
      `select chunk_id as id, vec_distance_cosine(embedding, ?) as distance from knowledge_chunk_vectors
       where chunk_id in (select value from json_each(?)) and knowledge_base_id = ?
       order by distance, chunk_id limit ?`,
    )
    .all(vectorBlob(query), JSON.stringify(candidates.map((c) => c.id)), knowledgeBaseId, limit) as { id: number; distance: number }[];
  return withHits(sqlite, knowledgeBaseId, nearest);
}

/** Every vector of the base scored exactly: what vectorSearch approximates (tests and the bench compare them). */
export function exactVectorSearch(sqlite: Database.Database, knowledgeBaseId: string, query: Float32Array, limit: number): (ChunkHit & { distance: number })[] {
  const nearest = sqlite
    .prepare(
      `select chunk_id as id, vec_distance_cosine(embedding, ?) as distance from knowledge_chunk_vectors
       where knowledge_base_id = ? order by distance, chunk_id limit ?`,
    )
    .all(vectorBlob(query), knowledgeBaseId, limit) as { id: number; distance: number }[];
  return withHits(sqlite, knowledgeBaseId, nearest);
}

function withHits(sqlite: Database.Database, knowledgeBaseId: string, nearest: { id: number; distance: number }[]): (ChunkHit & { distance: number })[] {
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
