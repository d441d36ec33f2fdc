import { describe, expect, it } from "vitest";
import { citationOf, keywordQuery, keywordScore, reciprocalRankFusion, RRF_K, topResults, vectorScore } from "#server/knowledge/fusion";

describe("reciprocalRankFusion", () => {
  it("ranks an item found by both lists above items found by one, scaled so first in both scores 1", () => {
    const fused = reciprocalRankFusion([[{ id: 1 }, { id: 2 }, { id: 3 }], [{ id: 1 }, { id: 4 }]]);
    expect(fused.map((f) => f.id)).toEqual([1, 2, 4, 3]);
    expect(fused[0]).toEqual({ id: 1, score: 1, ranks: [1, 1] });
    // Second in one list only: (1 / (k + 2)) / (2 / (k + 1)).
    expect(fused[1]?.score).toBeCloseTo(1 / (RRF_K + 2) / (2 / (RRF_K + 1)), 10);
    expect(fused[2]?.ranks).toEqual([null, 2]);
  });

  it("lifts an item ranked well by both above one ranked first by only one", () => {
    const fused = reciprocalRankFusion([[{ id: 9 }, { id: 5 }], [{ id: 7 }, { id: 5 }]]);
    expect(fused[0]?.id).toBe(5);
  });

  it("keeps the first list's order for ties, and handles empty lists", () => {
    expect(reciprocalRankFusion([[{ id: 2 }], [{ id: 3 }]]).map((f) => f.id)).toEqual([2, 3]);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
    expect(reciprocalRankFusion([])).toEqual([]);
  });
});

describe("scores", () => {
  it("turns BM25 and cosine distance into 0..1, higher is better", () => {
    expect(keywordScore(0)).toBe(0);
    expect(keywordScore(-1)).toBe(0.5);
    expect(keywordScore(-9)).toBeCloseTo(0.9);
    expect(keywordScore(-9)).toBeGreaterThan(keywordScore(-2));
    expect(vectorScore(0)).toBe(1);
    expect(vectorScore(0.25)).toBe(0.75);
    expect(vectorScore(1.6)).toBe(0);
  });

  it("topResults keeps at most k results at or above the threshold", () => {
    const results = [0.9, 0.7, 0.5, 0.3].map((score) => ({ score }));
    expect(topResults(results, 2, 0)).toEqual([{ score: 0.9 }, { score: 0.7 }]);
    expect(topResults(results, 10, 0.5)).toEqual([{ score: 0.9 }, { score: 0.7 }, { score: 0.5 }]);
  });
});

describe("keywordQuery", () => {
  it("quotes each word, so FTS5 syntax in a query is plain text", () => {
    expect(keywordQuery('refund AND "policy" NEAR(x) -secret*')).toBe('"refund" OR "and" OR "policy" OR "near" OR "x" OR "secret"');
    expect(keywordQuery("Café café")).toBe('"café"');
    expect(keywordQuery("?! ...")).toBeNull();
  });
});

describe("citationOf", () => {
  it("names the page, else the heading path, else the document", () => {
    expect(citationOf({ documentName: "handbook.pdf", page: 3, heading: null })).toBe("handbook.pdf, page 3");
    expect(citationOf({ documentName: "guide.md", page: null, heading: "Setup › Linux" })).toBe("guide.md › Setup › Linux");
    expect(citationOf({ documentName: "notes.txt", page: null, heading: null })).toBe("notes.txt");
  });
});
