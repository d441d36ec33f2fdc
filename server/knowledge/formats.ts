import { formatBytes, type KnowledgeLimits } from "./limits";

export const DOCUMENT_FORMATS = ["pdf", "docx", "markdown", "html", "text", "csv"] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** A file the knowledge base refuses, with a message for the person who uploaded it. */
export class UnsupportedDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedDocumentError";
  }
}

const EXTENSIONS: Record<string, DocumentFormat> = {
  pdf: "pdf",
  docx: "docx",
  md: "markdown",
  markdown: "markdown",
  html: "html",
  htm: "html",
  txt: "text",
  text: "text",
  csv: "csv",
};

const startsWith = (bytes: Uint8Array, prefix: string) => prefix.split("").every((c, i) => bytes[i] === c.charCodeAt(0));

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/** Text formats must be UTF-8 without NUL bytes; anything else is a binary file with a text name. */
function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The format of an uploaded file, from its name and checked against its bytes: a ".pdf" must
 * start with %PDF-, a ".docx" must be a zip, and text formats must be UTF-8. Throws
 * UnsupportedDocumentError otherwise, before anything is parsed or stored.
 */
export function detectFormat(name: string, bytes: Uint8Array, limits: Pick<KnowledgeLimits, "maxFileBytes">): DocumentFormat {
  if (bytes.length === 0) throw new UnsupportedDocumentError(`${name} is empty.`);
  if (bytes.length > limits.maxFileBytes) {
    throw new UnsupportedDocumentError(`${name} is ${formatBytes(bytes.length)}; a file may be at most ${formatBytes(limits.maxFileBytes)}.`);
  }
  const extension = extensionOf(name);
  const format = EXTENSIONS[extension];
  if (!format) {
    const shown = extension ? `.${extension} files` : "Files without an extension";
    throw new UnsupportedDocumentError(`${shown} are not supported; upload PDF, DOCX, Markdown, HTML, TXT or CSV.`);
  }
  if (format === "pdf" && !startsWith(bytes, "%PDF-")) throw new UnsupportedDocumentError(`${name} is not a PDF: its content does not start with %PDF-.`);
  if (format === "docx" && !startsWith(bytes, "PK\x03\x04")) throw new UnsupportedDocumentError(`${name} is not a DOCX file: it is not a zip archive.`);
  if (format !== "pdf" && format !== "docx" && !isText(bytes)) {
    throw new UnsupportedDocumentError(`${name} is not a text file: save it as UTF-8 text (it contains bytes that are not UTF-8).`);
  }
  return format;
}
