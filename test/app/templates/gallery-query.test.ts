import { describe, expect, it } from "vitest";
import { galleryHref, readGalleryQuery } from "#app/components/templates/gallery-filters";
import { parseTags } from "#app/components/templates/save-template-dialog";

describe("the gallery's address", () => {
  it("reads shelf, words, category and tag, falling back to Skyloom's shelf", () => {
    expect(readGalleryQuery(new URL("http://x/templates?shelf=team&q=faq&category=Knowledge&tag=rag"))).toEqual({ shelf: "team", q: "faq", category: "Knowledge", tag: "rag" });
    expect(readGalleryQuery(new URL("http://x/templates?shelf=everything"))).toEqual({ shelf: "skyloom", q: "", category: "", tag: "" });
    expect(readGalleryQuery(new URL(`http://x/templates?q=${"a".repeat(500)}`)).q).toHaveLength(200);
  });

  it("writes only what differs from the default, so the plain gallery is /templates", () => {
    const query = { shelf: "skyloom" as const, q: "", category: "", tag: "" };
    expect(galleryHref(query)).toBe("/templates");
    expect(galleryHref(query, { shelf: "public", q: "web research" })).toBe("/templates?shelf=public&q=web+research");
    expect(galleryHref({ ...query, tag: "chat", category: "Models" }, { tag: "" })).toBe("/templates?category=Models");
  });
});

describe("parseTags", () => {
  it("splits on commas, trims, lowercases and drops empty and repeated tags", () => {
    expect(parseTags(" Support, FAQ ,, memory, support ")).toEqual(["support", "faq", "memory"]);
    expect(parseTags("")).toEqual([]);
  });
});
