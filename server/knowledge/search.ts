import type Database from "better-sqlite3";
import type { SearchMode } from "#db/schema";
import { DEV_EMBEDDING_MODEL_ID, DEV_EMBEDDING_NOTICE } from "../dev-model/embeddings";
import { badRequest } from "../services/errors";
import type { KnowledgeBaseRow } from "./bases";
import { EmbeddingsError } from "./embeddings";
import { citationOf, keywordQuery, keywordScore, reciprocalRankFusion, topResults, vectorScore } from "./fusion";
import type { EmbeddingsResolver } from "./ingest";
import { keywordSearch, vectorSearch, type ChunkHit } from "./store";

export type SearchOptions = { mode?: SearchMode; topK: number; minScore: number };

export type SearchResult = {
  chunkId: number;
  documentId: string;
  documentName: string;
  sourceUrl: string | null;
  page: number | null;
  heading: string | null;
  text: string;
  /** 0..1, higher is better (see ./fusion.ts for each mode's scale). */
  score: number;
  /** "handbook.pdf, page 3" or "guide.md › Setup": what an answer cites. */
  citation: string;
  /** Where each search ranked the chunk (1 = first), null when it did not find it. */
  ranks: { keyword: number | null; vector: number | null };
};

export type SearchAnswer = { mode: SearchMode; results: SearchResult[]; notice?: string };

/** Candidates each search hands to fusion: more than top-k, so fusion can reorder them. */
const candidatesFor = (topK: number) => Math.min(200, Math.max(20, topK * 4));

function resultOf(hit: ChunkHit, score: number, ranks: SearchResult["ranks"]): SearchResult {
  return {
    chunkId: hit.id,
    documentId: hit.documentId,
    documentName: hit.documentName,
    sourceUrl: hit.sourceUrl,
    page: hit.page,
    heading: hit.heading,
    text: hit.text,
    score,
    citation: citationOf(hit),
    ranks,
  };
}

/**
 * Searches one knowledge base (the caller has checked it is the team's): keyword (BM25),
 * vector (the base's embeddings model embeds the query; cosine similarity), or hybrid (both,
 * fused by reciprocal rank). Returns at most `topK` results scoring at least `minScore`.
 */
export async function searchBase(
  sqlite: Database.Database,
  embeddingsFor: EmbeddingsResolver,
  base: KnowledgeBaseRow,
  query: string,
  options: SearchOptions,
): Promise<SearchAnswer> {
  const mode = options.mode ?? base.searchMode;
  if (mode !== "keyword" && base.searchMode === "keyword") {
    throw badRequest(`${base.name} is indexed for keyword search only; switch it to vector or hybrid (its documents are then embedded) to search by ${mode}.`);
  }
  const candidates = candidatesFor(options.topK);
  const keywordHits = mode === "vector" ? [] : keywordHitsFor(sqlite, base.id, query, candidates);
  let notice: string | undefined;
  let vectorHits: (ChunkHit & { distance: number })[] = [];
  if (mode !== "keyword") {
    const client = await embeddingsFor(base);
    const [vector] = await client.embed([query]);
    if (!vector) throw new EmbeddingsError("The embeddings server answered no vector for the query.");
    if (base.embeddingDimensions !== null && vector.length !== base.embeddingDimensions) {
      throw new EmbeddingsError(`The embeddings model answered a ${vector.length}-dimension vector, but this knowledge base holds ${base.embeddingDimensions}-dimension ones.`);
    }
    vectorHits = vectorSearch(sqlite, base.id, vector, candidates);
    if (client.model === DEV_EMBEDDING_MODEL_ID) notice = DEV_EMBEDDING_NOTICE;
  }

  let results: SearchResult[];
  if (mode === "keyword") {
    results = keywordHits.map((hit, i) => resultOf(hit, keywordScore(hit.bm25), { keyword: i + 1, vector: null }));
  } else if (mode === "vector") {
    results = vectorHits.map((hit, i) => resultOf(hit, vectorScore(hit.distance), { keyword: null, vector: i + 1 }));
  } else {
    const hits = new Map<number, ChunkHit>([...keywordHits, ...vectorHits].map((h) => [h.id, h]));
    results = reciprocalRankFusion([keywordHits, vectorHits]).map((fused) =>
      resultOf(hits.get(fused.id) as ChunkHit, fused.score, { keyword: fused.ranks[0] ?? null, vector: fused.ranks[1] ?? null }),
    );
  }
  return { mode, results: topResults(results, options.topK, options.minScore), ...(notice ? { notice } : {}) };
}

function keywordHitsFor(sqlite: Database.Database, baseId: string, query: string, limit: number) {
  const match = keywordQuery(query);
  return match ? keywordSearch(sqlite, baseId, match, limit) : [];
}
