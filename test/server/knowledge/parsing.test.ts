import { afterAll, describe, expect, it } from "vitest";
import { DocumentParser, ParserBusyError } from "#server/knowledge/document-parser";
import { detectFormat, UnsupportedDocumentError } from "#server/knowledge/formats";
import { markdownSections } from "#server/knowledge/sections";
import { countTokens, splitSections } from "#server/knowledge/split";
import { checkZipSize } from "#server/knowledge/zip-guard";
import { makeDocx, makePdf, makeZipBombDocx } from "../../support/documents";

const limits = { maxPages: 50, maxUnpackedBytes: 8 * 1024 * 1024, maxTextChars: 1_000_000 };
const split = { chunkSize: 60, chunkOverlap: 10 };
const parser = new DocumentParser({ timeoutMs: 60_000 });
afterAll(() => parser.close());

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "no error",
    (error: unknown) => (error instanceof UnsupportedDocumentError ? error.message : `unexpected: ${String(error)}`),
  );

describe("detectFormat", () => {
  const max = { maxFileBytes: 1024 };
  it("takes the format from the name and checks it against the bytes", () => {
    expect(detectFormat("a.PDF", Buffer.from("%PDF-1.7 ..."), max)).toBe("pdf");
    expect(detectFormat("notes.md", Buffer.from("# Hi"), max)).toBe("markdown");
    expect(detectFormat("page.htm", Buffer.from("<p>x</p>"), max)).toBe("html");
    expect(detectFormat("rows.csv", Buffer.from("a,b\n1,2"), max)).toBe("csv");
    expect(detectFormat("w.docx", Buffer.from("PK\x03\x04rest"), max)).toBe("docx");
  });
  it("refuses what it cannot read, saying why", () => {
    const message = (name: string, bytes: Buffer) => {
      try {
        return detectFormat(name, bytes, max);
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(message("fake.pdf", Buffer.from("<html>not a pdf</html>"))).toBe("fake.pdf is not a PDF: its content does not start with %PDF-.");
    expect(message("fake.docx", Buffer.from("plain text"))).toBe("fake.docx is not a DOCX file: it is not a zip archive.");
    expect(message("image.png", Buffer.from("x"))).toBe(".png files are not supported; upload PDF, DOCX, Markdown, HTML, TXT or CSV.");
    expect(message("binary.txt", Buffer.from([0x41, 0x00, 0x42]))).toMatch(/^binary.txt is not a text file/);
    expect(message("big.txt", Buffer.alloc(2048, 0x41))).toBe("big.txt is 2 KB; a file may be at most 1 KB.");
    expect(message("empty.md", Buffer.alloc(0))).toBe("empty.md is empty.");
  });
});

describe("markdownSections and splitSections", () => {
  it("keeps the heading path of every section", () => {
    const sections = markdownSections("Intro text.\n\n# Setup\n\nInstall.\n\n## Linux\n\napt install\n\n## macOS\n\nbrew install\n\n# Usage\n\nRun it.");
    expect(sections.map((s) => s.heading ?? null)).toEqual([null, "Setup", "Setup › Linux", "Setup › macOS", "Usage"]);
    expect(sections[2]?.text).toContain("apt install");
  });

  it("cuts long text into chunks of about chunkSize tokens that overlap, never across sections", async () => {
    const sentence = (i: number) => `Sentence number ${i} talks about the harbour ferry timetable.`;
    const long = Array.from({ length: 40 }, (_, i) => sentence(i)).join(" ");
    const chunks = await splitSections([{ text: long, page: 3 }, { text: "Short page.", page: 4 }], split);
    expect(chunks.length).toBeGreaterThan(5);
    // The splitter adds up its pieces' counts; a word joined to its neighbour may count one token more.
    for (const chunk of chunks) expect(countTokens(chunk.text)).toBeLessThanOrEqual(split.chunkSize + 2);
    expect(chunks.at(-1)).toEqual({ text: "Short page.", page: 4 });
    expect(chunks.slice(0, -1).every((c) => c.page === 3)).toBe(true);
    // Neighbours share words (the overlap).
    const [first, second] = chunks as [{ text: string }, { text: string }];
    const tail = first.text.split(" ").slice(-3).join(" ");
    expect(second.text).toContain(tail);
  });
});

describe("checkZipSize", () => {
  it("refuses a zip that unpacks past the limit without unpacking it all", () => {
    const bomb = makeZipBombDocx(20 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(200_000);
    expect(() => checkZipSize("bomb.docx", bomb, 8 * 1024 * 1024)).toThrow("bomb.docx unpacks to more than 8 MB; it looks like a zip bomb, not a document.");
    expect(() => checkZipSize("ok.docx", makeDocx([{ text: "fine" }]), 8 * 1024 * 1024)).not.toThrow();
  });
});

describe("DocumentParser (worker thread)", () => {
  it("reads a PDF page by page", async () => {
    const pdf = makePdf(["The ferry leaves at nine (sharp).", "Page two: the harbour closes at dusk."]);
    const result = await parser.parse({ name: "ferry.pdf", format: "pdf", bytes: pdf, limits, split });
    expect(result.pages).toBe(2);
    expect(result.chunks).toEqual([
      { text: "The ferry leaves at nine (sharp).", page: 1 },
      { text: "Page two: the harbour closes at dusk.", page: 2 },
    ]);
  });

  it("reads a DOCX with its headings, and an HTML page without its scripts", async () => {
    const docx = makeDocx([{ heading: 1, text: "Setup" }, { text: "Install it." }, { heading: 2, text: "Linux" }, { text: "Use apt." }]);
    const fromDocx = await parser.parse({ name: "guide.docx", format: "docx", bytes: docx, limits, split });
    expect(fromDocx.chunks.map((c) => c.heading)).toEqual(["Setup", "Setup › Linux"]);
    expect(fromDocx.chunks[1]?.text).toContain("Use apt.");
    const html = Buffer.from("<html><head><title>Help</title><script>steal()</script></head><body><h1>FAQ</h1><p>Ask us.</p><style>p{}</style></body></html>");
    const fromHtml = await parser.parse({ name: "faq.html", format: "html", bytes: html, limits, split });
    expect(fromHtml.title).toBe("Help");
    expect(fromHtml.chunks).toEqual([{ text: "# FAQ\n\nAsk us.", heading: "FAQ" }]);
  });

  it("refuses encrypted, damaged and oversized PDFs, zip bombs and empty documents with a message", async () => {
    const parse = (name: string, format: "pdf" | "docx" | "text", bytes: Buffer) => refusal(parser.parse({ name, format, bytes, limits, split }));
    expect(await parse("locked.pdf", "pdf", makePdf(["secret"], { encrypted: true }))).toBe("locked.pdf is encrypted with a password; upload a copy without one.");
    expect(await parse("broken.pdf", "pdf", Buffer.from("%PDF-1.4\nthis is not really a pdf"))).toMatch(/^broken.pdf is a damaged PDF that cannot be read/);
    expect(await parse("long.pdf", "pdf", makePdf(Array.from({ length: 51 }, (_, i) => `page ${i}`)))).toBe("long.pdf has 51 pages; a PDF may have at most 50.");
    expect(await parse("bomb.docx", "docx", makeZipBombDocx(20 * 1024 * 1024))).toBe("bomb.docx unpacks to more than 8 MB; it looks like a zip bomb, not a document.");
    expect(await parse("blank.pdf", "pdf", makePdf([""]))).toMatch(/^blank.pdf contains no text to search \(a scanned PDF/);
    expect(await parse("notzip.docx", "docx", Buffer.from("PK\x03\x04 but then garbage"))).toMatch(/^notzip.docx is a damaged zip archive|^notzip.docx is not a readable DOCX/);
    // The worker survives refusals: the next document parses.
    expect((await parser.parse({ name: "a.txt", format: "text", bytes: Buffer.from("still works"), limits, split })).chunks).toEqual([{ text: "still works" }]);
  });

  it("refuses more documents than its queue holds, saying it is busy, and takes them again once it is free", async () => {
    const small = new DocumentParser({ maxQueued: 2 });
    try {
      const job = (text: string) => ({ name: `${text}.txt`, format: "text" as const, bytes: Buffer.from(text), limits, split });
      const first = small.parse(job("one"));
      const second = small.parse(job("two"));
      await expect(small.parse(job("three"))).rejects.toThrow(ParserBusyError);
      expect((await first).chunks).toEqual([{ text: "one" }]);
      expect((await second).chunks).toEqual([{ text: "two" }]);
      expect((await small.parse(job("four"))).chunks).toEqual([{ text: "four" }]);
    } finally {
      await small.close();
    }
  });

  it("ends a parse that runs out of time, with a message for the uploader", async () => {
    const impatient = new DocumentParser({ timeoutMs: 1 });
    try {
      const big = makePdf(Array.from({ length: 40 }, (_, i) => `page ${i} `.repeat(50)));
      expect(await refusal(impatient.parse({ name: "slow.pdf", format: "pdf", bytes: big, limits, split }))).toBe(
        "slow.pdf took longer than 0 s to parse; split it into smaller files.",
      );
    } finally {
      await impatient.close();
    }
  });
});
