import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend, type TestClient } from "../../support/harness";
import { makeDocx, makePdf, makeZipBombDocx } from "../../support/documents";
import { outcomeOf } from "../../support/trpc-errors";

let backend: TestBackend;
let owner: TestClient;
let stranger: TestClient;

beforeAll(async () => {
  // A lower unpacking limit than the default 200 MB, so the zip bomb below is quick to make.
  backend = await createTestBackend({ adapters: { knowledge: { limits: { maxUnpackedBytes: 8 * 1024 * 1024 } } } });
  owner = await backend.signedUpClient("kb-owner@example.com");
  stranger = await backend.signedUpClient("kb-stranger@example.com");
});
afterAll(async () => {
  await backend.close();
});

const base64 = (bytes: Buffer | string) => Buffer.from(bytes).toString("base64");
const idle = () => backend.services.knowledge.whenIdle();
const count = (sql: string, ...params: unknown[]) => (backend.sqlite.prepare(sql).get(...params) as { n: number }).n;

/** Every row anywhere that belongs to knowledge bases: after a refusal or a deletion these must be back where they were. */
function knowledgeFootprint() {
  return {
    documents: count("select count(*) n from knowledge_documents"),
    files: count("select count(*) n from knowledge_files"),
    jobs: count("select count(*) n from knowledge_jobs"),
    chunks: count("select count(*) n from knowledge_chunks"),
    fts: count("select count(*) n from knowledge_chunks_fts_docsize"),
    vectors: count("select count(*) n from knowledge_chunk_vectors"),
    vectorCodes: count("select count(*) n from knowledge_vector_codes"),
  };
}

const HANDBOOK = `# Travel policy

Employees book trains for trips under four hours.

## Refunds

Refund requests for cancelled tickets go to finance within thirty days.

# Equipment

Laptops are replaced every three years.`;

describe("knowledge bases through the tRPC router", () => {
  it("upload → indexed → keyword search answers with the chunk and its citation", async () => {
    const kb = await owner.trpc.knowledge.create({ name: "Handbook" });
    expect(kb).toMatchObject({ searchMode: "keyword", chunkSize: 400, chunkOverlap: 50, documentCount: 0 });
    const added = await owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "handbook.md", contentBase64: base64(HANDBOOK) });
    expect(added.duplicate).toBe(false);
    expect(added.document).toMatchObject({ name: "handbook.md", format: "markdown", status: "processing" });
    await idle();
    const [document] = await owner.trpc.knowledge.documents.list({ knowledgeBaseId: kb.id });
    expect(document).toMatchObject({ status: "indexed", chunkCount: 3, job: { status: "done", stage: "indexed", progress: 1 } });

    const answer = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "how do I get a refund for a cancelled ticket?" });
    expect(answer.mode).toBe("keyword");
    expect(answer.results[0]).toMatchObject({ documentName: "handbook.md", heading: "Travel policy › Refunds", citation: "handbook.md › Travel policy › Refunds" });
    expect(answer.results[0]?.text).toContain("finance within thirty days");
    expect(answer.results[0]?.score).toBeGreaterThan(0);
    expect(answer.results[0]?.ranks).toEqual({ keyword: 1, vector: null });

    const chunks = await owner.trpc.knowledge.documents.chunks({ knowledgeBaseId: kb.id, documentId: document?.id ?? "" });
    expect(chunks.total).toBe(3);
    expect(chunks.chunks.map((c) => c.heading)).toEqual(["Travel policy", "Travel policy › Refunds", "Equipment"]);
  });

  it("cites PDF pages and DOCX headings", async () => {
    const kb = await owner.trpc.knowledge.create({ name: "Manuals" });
    await owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "pump.pdf", contentBase64: base64(makePdf(["Pump manual", "Prime the pump with two litres of water."])) });
    await owner.trpc.knowledge.documents.upload({
      knowledgeBaseId: kb.id,
      name: "valve.docx",
      contentBase64: base64(makeDocx([{ heading: 1, text: "Valves" }, { heading: 2, text: "Cleaning" }, { text: "Soak the valve in vinegar overnight." }])),
    });
    await idle();
    const pump = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "prime pump water", topK: 1 });
    expect(pump.results.map((r) => r.citation)).toEqual(["pump.pdf, page 2"]);
    const valve = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "vinegar", topK: 1 });
    expect(valve.results.map((r) => r.citation)).toEqual(["valve.docx › Valves › Cleaning"]);
  });

  it("the same file twice is one document", async () => {
    const kb = await owner.trpc.knowledge.create({ name: "Twice" });
    const first = await owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "a.txt", contentBase64: base64("same bytes") });
    const second = await owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "copy of a.txt", contentBase64: base64("same bytes") });
    expect(second).toMatchObject({ duplicate: true, document: { id: first.document.id, name: "a.txt" } });
    expect(await owner.trpc.knowledge.documents.list({ knowledgeBaseId: kb.id })).toHaveLength(1);
    await idle();
  });

  it("refuses bad files with a message and leaves nothing behind", async () => {
    const kb = await owner.trpc.knowledge.create({ name: "Bad files" });
    await idle();
    const before = knowledgeFootprint();
    const upload = (name: string, bytes: Buffer) => outcomeOf(owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name, contentBase64: base64(bytes) }));
    expect(await upload("report.pdf", Buffer.from("<html>I am a web page</html>"))).toBe("BAD_REQUEST: report.pdf is not a PDF: its content does not start with %PDF-.");
    expect(await upload("locked.pdf", makePdf(["top secret"], { encrypted: true }))).toBe("BAD_REQUEST: locked.pdf is encrypted with a password; upload a copy without one.");
    expect(await upload("broken.pdf", Buffer.from("%PDF-1.7\n%garbage that is not a PDF body"))).toMatch(/^BAD_REQUEST: broken.pdf is a damaged PDF that cannot be read/);
    expect(await upload("bomb.docx", makeZipBombDocx(20 * 1024 * 1024))).toBe("BAD_REQUEST: bomb.docx unpacks to more than 8 MB; it looks like a zip bomb, not a document.");
    expect(await upload("photo.jpg", Buffer.from([0xff, 0xd8, 0xff]))).toBe("BAD_REQUEST: .jpg files are not supported; upload PDF, DOCX, Markdown, HTML, TXT or CSV.");
    expect(await upload("empty.txt", Buffer.from("   \n"))).toBe("BAD_REQUEST: empty.txt contains no text to search.");
    expect(knowledgeFootprint()).toEqual(before);
  }, 60_000);

  it("deleting a document removes its chunks, keyword index entries and vectors; deleting the base removes the rest", async () => {
    const kb = await owner.trpc.knowledge.create({ name: "Hybrid", searchMode: "hybrid" });
    const before = knowledgeFootprint();
    const a = await owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "alpha.md", contentBase64: base64("# Alpha\n\nThe zebra crossing is on Elm street.") });
    await owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "beta.md", contentBase64: base64("# Beta\n\nThe library opens at nine.") });
    await idle();
    const during = knowledgeFootprint();
    expect(during.vectors - before.vectors).toBe(2);
    expect(during.fts - before.fts).toBe(2);
    const hit = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "zebra crossing" });
    expect(hit.results[0]).toMatchObject({ documentName: "alpha.md", ranks: { keyword: 1, vector: 1 } });
    expect(hit.notice).toMatch(/not semantic/);

    await owner.trpc.knowledge.documents.remove({ knowledgeBaseId: kb.id, documentId: a.document.id });
    const after = knowledgeFootprint();
    expect(after).toEqual({ ...during, documents: during.documents - 1, files: during.files - 1, jobs: during.jobs - 1, chunks: during.chunks - 1, fts: during.fts - 1, vectors: during.vectors - 1, vectorCodes: during.vectorCodes - 1 });
    expect(count("select count(*) n from knowledge_chunks_fts where knowledge_chunks_fts match 'zebra'")).toBe(0);
    expect((await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "zebra crossing" })).results.map((r) => r.documentName)).not.toContain("alpha.md");

    await owner.trpc.knowledge.remove({ id: kb.id });
    expect(knowledgeFootprint()).toEqual(before);
  });

  it("another team's base and documents are NOT_FOUND, and its search finds nothing of ours", async () => {
    const kb = await owner.trpc.knowledge.create({ name: "Private" });
    const doc = await owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "p.txt", contentBase64: base64("the vault code is 4711") });
    await idle();
    expect(await outcomeOf(stranger.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "vault code" }))).toBe("NOT_FOUND: Knowledge base not found.");
    expect(await outcomeOf(stranger.trpc.knowledge.documents.chunks({ knowledgeBaseId: kb.id, documentId: doc.document.id }))).toBe("NOT_FOUND: Document not found.");
    expect(await outcomeOf(stranger.trpc.knowledge.documents.remove({ knowledgeBaseId: kb.id, documentId: doc.document.id }))).toBe("NOT_FOUND: Document not found.");
    // Their own base with our document's id: still nothing.
    const theirs = await stranger.trpc.knowledge.create({ name: "Theirs" });
    expect(await outcomeOf(stranger.trpc.knowledge.documents.remove({ knowledgeBaseId: theirs.id, documentId: doc.document.id }))).toBe("NOT_FOUND: Document not found.");
    expect((await stranger.trpc.knowledge.search({ knowledgeBaseId: theirs.id, query: "vault code" })).results).toEqual([]);
    expect((await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "vault code" })).results).toHaveLength(1);
  });

  it("explains settings it refuses", async () => {
    expect(await outcomeOf(owner.trpc.knowledge.create({ name: "X", chunkSize: 100, chunkOverlap: 100 }))).toBe("BAD_REQUEST: chunkOverlap: The overlap must be smaller than the chunk size");
    const kb = await owner.trpc.knowledge.create({ name: "Keyword only" });
    expect(await outcomeOf(owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "x", mode: "vector" }))).toBe(
      "BAD_REQUEST: Keyword only is indexed for keyword search only; switch it to vector or hybrid (its documents are then embedded) to search by vector.",
    );
  });
});
