import { parse as parseHtml } from "node-html-parser";
import TurndownService from "turndown";
import { UnsupportedDocumentError, type DocumentFormat } from "./formats";
import type { KnowledgeLimits } from "./limits";
import { markdownSections, type Section } from "./sections";
import { checkZipSize } from "./zip-guard";

/**
 * Turns a document's bytes into sections of text with their page or heading. Runs in a worker
 * thread (server/knowledge/parse-worker.ts): parsing user files must never hold the host's
 * event loop, and a file that exhausts the thread's memory ends only that thread.
 */
export type ParsedDocument = { sections: Section[]; pages?: number; title?: string };

type ParseLimits = Pick<KnowledgeLimits, "maxPages" | "maxUnpackedBytes" | "maxTextChars">;

function htmlToMarkdown(html: string): string {
  const turndown = new TurndownService({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-" });
  turndown.remove(["script", "style", "noscript", "iframe", "template"]);
  return turndown.turndown(html);
}

async function parsePdf(name: string, bytes: Uint8Array, limits: ParseLimits): Promise<ParsedDocument> {
  const { PDFParse } = await import("pdf-parse");
  const parser = new PDFParse({ data: bytes, verbosity: 0 });
  try {
    const info = await parser.getInfo();
    if (info.total > limits.maxPages) {
      throw new UnsupportedDocumentError(`${name} has ${info.total} pages; a PDF may have at most ${limits.maxPages}.`);
    }
    const result = await parser.getText({ pageJoiner: "" });
    const sections = result.pages.map((page) => ({ text: page.text.trim(), page: page.num })).filter((s) => s.text);
    return { sections, pages: result.total };
  } catch (error) {
    if (error instanceof UnsupportedDocumentError) throw error;
    const kind = (error as { name?: string }).name;
    if (kind === "PasswordException") throw new UnsupportedDocumentError(`${name} is encrypted with a password; upload a copy without one.`);
    const detail = error instanceof Error ? error.message : String(error);
    throw new UnsupportedDocumentError(`${name} is a damaged PDF that cannot be read (${detail}).`);
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

async function parseDocx(name: string, bytes: Uint8Array, limits: ParseLimits): Promise<ParsedDocument> {
  checkZipSize(name, bytes, limits.maxUnpackedBytes);
  const mammoth = await import("mammoth");
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).value;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new UnsupportedDocumentError(`${name} is not a readable DOCX document (${detail}).`);
  }
  return { sections: markdownSections(htmlToMarkdown(html)) };
}

function parseHtmlPage(text: string): ParsedDocument {
  const root = parseHtml(text);
  const title = root.querySelector("title")?.text.trim();
  const body = root.querySelector("body") ?? root;
  return { sections: markdownSections(htmlToMarkdown(body.toString())), ...(title ? { title } : {}) };
}

export async function parseDocument(name: string, format: DocumentFormat, bytes: Uint8Array, limits: ParseLimits): Promise<ParsedDocument> {
  let parsed: ParsedDocument;
  if (format === "pdf") parsed = await parsePdf(name, bytes, limits);
  else if (format === "docx") parsed = await parseDocx(name, bytes, limits);
  else {
    const text = new TextDecoder().decode(bytes);
    if (format === "html") parsed = parseHtmlPage(text);
    else if (format === "markdown") parsed = { sections: markdownSections(text) };
    else parsed = { sections: text.trim() ? [{ text }] : [] };
  }
  const chars = parsed.sections.reduce((sum, s) => sum + s.text.length, 0);
  if (chars > limits.maxTextChars) {
    throw new UnsupportedDocumentError(`${name} holds ${chars.toLocaleString("en")} characters of text; a document may hold at most ${limits.maxTextChars.toLocaleString("en")}.`);
  }
  if (chars === 0) {
    const hint = format === "pdf" ? " (a scanned PDF has images, not text; run it through OCR first)" : "";
    throw new UnsupportedDocumentError(`${name} contains no text to search${hint}.`);
  }
  return parsed;
}
