/**
 * Scoring and fusing search results: pure functions, so the ranking rules are tested on their
 * own. Every score a person sees is in 0..1, higher is better, whatever the search mode:
 *  - keyword: FTS5's BM25 (negative, lower is better) as s / (1 + s) with s = -bm25;
 *  - vector: cosine similarity, 1 - the cosine distance sqlite-vec returns, floored at 0;
 *  - hybrid: reciprocal rank fusion, divided by the best score possible, so a chunk ranked
 *    first by both searches scores 1.
 */

/** Reciprocal rank fusion's constant: 60, as in Cormack et al. (2009) and most engines. */
export const RRF_K = 60;

export function keywordScore(bm25: number): number {
  const s = Math.max(0, -bm25);
  return s / (1 + s);
}

export function vectorScore(cosineDistance: number): number {
  return Math.max(0, Math.min(1, 1 - cosineDistance));
}

export type Ranked = { id: number };
export type Fused = { id: number; score: number; ranks: (number | null)[] };

/**
 * Fuses ranked lists (best first) by reciprocal rank: each list gives an item 1 / (k + rank),
 * rank counted from 1. Items found by several lists rise; ties keep the first list's order.
 */
export function reciprocalRankFusion(lists: readonly (readonly Ranked[])[], k = RRF_K): Fused[] {
  const fused = new Map<number, Fused & { firstSeen: number }>();
  let seen = 0;
  lists.forEach((list, listIndex) => {
    list.forEach((item, position) => {
      let entry = fused.get(item.id);
      if (!entry) {
        entry = { id: item.id, score: 0, ranks: lists.map(() => null), firstSeen: seen++ };
        fused.set(item.id, entry);
      }
      entry.score += 1 / (k + position + 1);
      entry.ranks[listIndex] = position + 1;
    });
  });
  const best = lists.length / (k + 1);
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.firstSeen - b.firstSeen)
    .map(({ id, score, ranks }) => ({ id, score: best > 0 ? score / best : 0, ranks }));
}

/** The top `topK` results scoring at least `minScore`, best first. */
export function topResults<T extends { score: number }>(results: readonly T[], topK: number, minScore: number): T[] {
  return results.filter((r) => r.score >= minScore).slice(0, topK);
}

const MAX_QUERY_TERMS = 32;

/**
 * A person's query as an FTS5 MATCH expression: its words, each quoted (so FTS5's operators
 * and punctuation in the query are plain text), joined by OR so BM25 ranks chunks that hold
 * more of them, and rarer ones, higher. Null when the query has no word to search for.
 */
export function keywordQuery(text: string): string | null {
  const words = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_QUERY_TERMS * 4))].slice(0, MAX_QUERY_TERMS);
  return words.length > 0 ? words.map((w) => `"${w}"`).join(" OR ") : null;
}

/** "handbook.pdf, page 3", "guide.md › Setup › Linux" or just the name. */
export function citationOf(chunk: { documentName: string; page: number | null; heading: string | null }): string {
  if (chunk.page !== null) return `${chunk.documentName}, page ${chunk.page}`;
  if (chunk.heading) return `${chunk.documentName} › ${chunk.heading}`;
  return chunk.documentName;
}
