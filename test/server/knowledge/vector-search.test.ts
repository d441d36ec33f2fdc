import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "#db/client";
import { migrationsFolder } from "#db/root";
import { knowledgeBases, knowledgeDocuments, teams, users } from "#db/schema";
import { devEmbedding } from "#server/dev-model/embeddings";
import { coarseCandidates, exactVectorSearch, replaceChunks, upgradeVectorStore, vectorSearch } from "#server/knowledge/store";
import { CODE_BITS, vectorCode } from "#server/knowledge/vector-codes";

/**
 * Vector search reads 1,024-bit codes to find candidates and scores only those exactly (ADR 026).
 * These tests hold it to the exact search (every float vector of the base scored) on fixed corpora
 * larger than the candidate list, so the coarse pass really decides what gets scored.
 */

let handle: DatabaseHandle;
beforeEach(() => {
  handle = openDatabase(":memory:", migrationsFolder());
  const { db } = handle;
  db.insert(users).values({ id: "user_v", email: "v@example.com", name: "V", passwordHash: "x", createdAt: new Date() }).run();
  db.insert(teams).values({ id: "team_v", name: "V", createdAt: new Date() }).run();
  for (const id of ["kb_one", "kb_two"]) {
    db.insert(knowledgeBases).values({ id, teamId: "team_v", name: id, searchMode: "vector", chunkSize: 400, chunkOverlap: 50, createdBy: "user_v", createdAt: new Date() }).run();
  }
});
afterEach(() => handle.close());

/** Seeded, so every run searches the same corpus. */
function seeded(seed: number) {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function addDocument(knowledgeBaseId: string, documentId: string, texts: string[], vectors: Float32Array[]) {
  const { db, sqlite } = handle;
  sqlite.transaction(() => {
    db.insert(knowledgeDocuments)
      .values({ id: documentId, teamId: "team_v", knowledgeBaseId, name: `${documentId}.txt`, format: "text", contentHash: documentId, sizeBytes: 1, status: "indexed", chunkCount: texts.length, createdAt: new Date(), indexedAt: new Date() })
      .run();
    replaceChunks(sqlite, { knowledgeBaseId, documentId }, texts.map((text) => ({ text })), vectors);
  })();
}

const TOP = 5;
const topOf = (hits: { id: number; distance: number }[]) => hits.slice(0, TOP).map((h) => ({ id: h.id, distance: Number(h.distance.toFixed(5)) }));

describe("vector search by codes, then exact scoring", () => {
  it("returns the same top results as the exact search on a corpus of 3,000 chunks (hashed bag of words, questions of 6 words)", () => {
    const random = seeded(7);
    const vocabulary = Array.from({ length: 3000 }, (_, i) => `term${i}`);
    const word = () => vocabulary[Math.floor(random() ** 2 * vocabulary.length)] as string;
    const texts = Array.from({ length: 3000 }, () => Array.from({ length: 50 }, word).join(" "));
    addDocument("kb_one", "doc_one", texts, texts.map((t) => devEmbedding(t)));
    expect(3000).toBeGreaterThan(coarseCandidates(20) * 10);

    for (let q = 0; q < 25; q++) {
      // A question that shares some words with one passage, as a person's question would.
      const source = (texts[Math.floor(random() * texts.length)] as string).split(" ");
      const question = [...source.slice(0, 4), word(), word()].join(" ");
      const query = devEmbedding(question);
      expect(topOf(vectorSearch(handle.sqlite, "kb_one", query, 20))).toEqual(topOf(exactVectorSearch(handle.sqlite, "kb_one", query, 20)));
    }
  });

  it("returns the same top results as the exact search on dense vectors in clusters (as a language model's embeddings are)", () => {
    const random = seeded(11);
    const gaussian = () => Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
    const dense = (centre?: Float32Array, spread = 1) => Float32Array.from({ length: 384 }, (_, i) => (centre ? (centre[i] as number) : 0) + spread * gaussian());
    const centres = Array.from({ length: 40 }, () => dense());
    const vectors = Array.from({ length: 4000 }, (_, i) => dense(centres[i % centres.length], 0.8));
    addDocument("kb_one", "doc_dense", vectors.map((_, i) => `passage ${i}`), vectors);

    for (let q = 0; q < 25; q++) {
      const query = dense(vectors[Math.floor(random() * vectors.length)], 0.5);
      expect(topOf(vectorSearch(handle.sqlite, "kb_one", query, 20))).toEqual(topOf(exactVectorSearch(handle.sqlite, "kb_one", query, 20)));
    }
  });

  it("searches only its own base's vectors", () => {
    const shared = "the ferry timetable changes in winter";
    addDocument("kb_one", "doc_a", [shared], [devEmbedding(shared)]);
    addDocument("kb_two", "doc_b", [shared, "lunch is served at noon"], [devEmbedding(shared), devEmbedding("lunch is served at noon")]);
    const hits = vectorSearch(handle.sqlite, "kb_one", devEmbedding("ferry timetable"), 10);
    expect(hits.map((h) => h.documentId)).toEqual(["doc_a"]);
  });

  it("codes estimate the angle: the same vector agrees on every bit, the opposite on almost none, an unrelated one on about half", () => {
    const a = devEmbedding("refunds for cancelled tickets go to finance");
    const differing = (x: Uint8Array, y: Uint8Array) => x.reduce((n, byte, i) => n + popcount(byte ^ (y[i] as number)), 0);
    expect(differing(vectorCode(a), vectorCode(Float32Array.from(a)))).toBe(0);
    // (A rotated coordinate that comes out exactly 0 is a 0 bit in both.)
    expect(differing(vectorCode(a), vectorCode(a.map((v) => -v)))).toBeGreaterThan(CODE_BITS * 0.95);
    const unrelated = differing(vectorCode(a), vectorCode(devEmbedding("bicycles are parked in the yard behind the office")));
    expect(unrelated).toBeGreaterThan(CODE_BITS * 0.4);
    expect(unrelated).toBeLessThan(CODE_BITS * 0.6);
  });

  it("moves vectors of the first layout (one float vec0 table per length) into codes and floats at start, and drops the old table", () => {
    const { sqlite } = handle;
    addDocument("kb_one", "doc_old", ["alpha beta", "gamma delta"], []);
    const chunkIds = (sqlite.prepare("select id from knowledge_chunks where document_id = 'doc_old' order by ord").all() as { id: number }[]).map((c) => c.id);
    sqlite.exec(`create virtual table knowledge_vectors_384 using vec0(chunk_id integer primary key, kb_id text partition key, embedding float[384] distance_metric=cosine);
      create trigger knowledge_vectors_384_delete after delete on knowledge_chunks begin delete from knowledge_vectors_384 where chunk_id = old.id; end;`);
    const insert = sqlite.prepare("insert into knowledge_vectors_384 (chunk_id, kb_id, embedding) values (?, 'kb_one', ?)");
    insert.run(BigInt(chunkIds[0] as number), devEmbedding("alpha beta"));
    insert.run(BigInt(chunkIds[1] as number), devEmbedding("gamma delta"));

    expect(upgradeVectorStore(sqlite)).toBe(2);
    expect(sqlite.prepare("select name from sqlite_master where name like 'knowledge_vectors_384%'").all()).toEqual([]);
    expect(vectorSearch(sqlite, "kb_one", devEmbedding("gamma"), 1).map((h) => h.text)).toEqual(["gamma delta"]);
    expect(upgradeVectorStore(sqlite)).toBe(0);
  });
});

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b; b >>= 1) n += b & 1;
  return n;
}
