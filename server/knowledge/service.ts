import type Database from "better-sqlite3";
import { and, eq } from "drizzle-orm";
import type { Db } from "#db/client";
import { knowledgeBases, knowledgeDocuments, knowledgeFiles } from "#db/schema";
import { recordAudit } from "../services/audit";
import { badRequest, DomainError, notFound } from "../services/errors";
import {
  assertCredentialInTeam,
  createBase,
  getBase,
  listBases,
  loadBase,
  needsReindex,
  removeBase,
  type KnowledgeBaseRow,
  type KnowledgeBaseSettings,
  type TeamScope,
} from "./bases";
import { ParserBusyError, type DocumentParser } from "./document-parser";
import { documentChunks, documentView, insertDocument, insertJob, listDocuments, loadDocument, removeDocument, sha256, type DocumentView } from "./documents";
import { EmbeddingsError } from "./embeddings";
import { detectFormat, UnsupportedDocumentError, type DocumentFormat } from "./formats";
import { IngestionQueue, type EmbeddingsResolver } from "./ingest";
import { DEFAULT_KNOWLEDGE_LIMITS, formatBytes, type KnowledgeLimits } from "./limits";
import { searchBase, type SearchAnswer, type SearchOptions } from "./search";
import { cancelReembed, requestReembed } from "./reembed";
import { deleteBaseVectors, upgradeVectorStore } from "./store";

export type KnowledgeServiceDeps = {
  db: Db;
  sqlite: Database.Database;
  parser: DocumentParser;
  /** The embeddings client of a base (its model, credential and base URL resolved). */
  embeddingsFor: EmbeddingsResolver;
  /** Fetches a web page a person named: the SSRF guard's fetch. */
  fetchUrl: (url: string, init?: RequestInit) => Promise<Response>;
  limits?: Partial<KnowledgeLimits>;
};

export type AddedDocument = { document: DocumentView; duplicate: boolean };

const FORMAT_BY_CONTENT_TYPE: Record<string, DocumentFormat> = {
  "text/html": "html",
  "application/xhtml+xml": "html",
  "text/markdown": "markdown",
  "text/plain": "text",
  "text/csv": "csv",
  "application/pdf": "pdf",
};
const EXTENSION_OF: Record<DocumentFormat, string> = { pdf: "pdf", docx: "docx", markdown: "md", html: "html", text: "txt", csv: "csv" };

/** A file name as shown and cited: no folders, no control characters, at most 200 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\p{Cc}\p{Cf}]/gu, "").trim().slice(-200);
  return clean || "document";
}

/**
 * Knowledge bases of every team: the one entry point the tRPC router, the upload route and the
 * retriever block use. Every method takes the team (from the session or the run, never from
 * input) and filters every id by it.
 */
export class KnowledgeService {
  readonly limits: KnowledgeLimits;
  private readonly ingestion: IngestionQueue;

  constructor(private readonly deps: KnowledgeServiceDeps) {
    this.limits = { ...DEFAULT_KNOWLEDGE_LIMITS, ...deps.limits };
    this.ingestion = new IngestionQueue({ db: deps.db, sqlite: deps.sqlite, parser: deps.parser, embeddingsFor: deps.embeddingsFor, limits: this.limits });
  }

  /** Resumes the jobs a previous run of the server left. */
  start(): void {
    upgradeVectorStore(this.deps.sqlite);
    this.ingestion.start();
  }

  async close(): Promise<void> {
    await this.ingestion.stop();
    await this.deps.parser.close();
  }

  /** Resolves once no ingestion job is queued or running. */
  whenIdle(): Promise<void> {
    return this.ingestion.whenIdle();
  }

  listBases(teamId: string) {
    return listBases(this.deps.db, teamId);
  }

  getBase(teamId: string, id: string) {
    return getBase(this.deps.db, teamId, id);
  }

  createBase(scope: TeamScope, input: KnowledgeBaseSettings) {
    return createBase(this.deps.db, scope, input);
  }

  /**
   * Changes a base's settings. A new chunk size re-splits every document, each swapping its
   * chunks (and vectors) in one transaction. A new embeddings model for a base that has vectors
   * re-embeds every chunk in the background and swaps all the new vectors in at once: searches
   * use the old model and vectors until then (./reembed.ts). Turning vectors on embeds each
   * document as it is re-indexed; keyword search works throughout.
   */
  updateBase(scope: TeamScope, id: string, input: KnowledgeBaseSettings) {
    const { db, sqlite } = this.deps;
    const before = loadBase(db, scope.teamId, id);
    assertCredentialInTeam(db, scope.teamId, input.embeddingCredentialId);
    const { rechunk, reembed } = needsReindex(before, input);
    const swapLater = reembed && !rechunk && before.searchMode !== "keyword" && before.embeddingDimensions !== null;
    sqlite.transaction(() => {
      if (swapLater) {
        const { embeddingBaseUrl, embeddingModel, embeddingCredentialId, ...rest } = input;
        db.update(knowledgeBases).set(rest).where(and(eq(knowledgeBases.id, id), eq(knowledgeBases.teamId, scope.teamId))).run();
        requestReembed(db, before, { embeddingBaseUrl, embeddingModel, embeddingCredentialId });
      } else {
        cancelReembed(db, id);
        const dropVectors = reembed && before.embeddingDimensions !== null;
        if (dropVectors) deleteBaseVectors(sqlite, id);
        db.update(knowledgeBases)
          .set({ ...input, ...(dropVectors ? { embeddingDimensions: null } : {}) })
          .where(and(eq(knowledgeBases.id, id), eq(knowledgeBases.teamId, scope.teamId)))
          .run();
        if (rechunk || reembed) {
          const documents = db.select({ id: knowledgeDocuments.id }).from(knowledgeDocuments).where(eq(knowledgeDocuments.knowledgeBaseId, id)).all();
          for (const document of documents) insertJob(db, scope.teamId, document.id);
        }
      }
      recordAudit(db, { teamId: scope.teamId, actorId: scope.userId, action: "knowledge.update", targetId: id, detail: { rechunk, reembed } });
    })();
    this.ingestion.wake();
    return { base: getBase(db, scope.teamId, id), reindexing: rechunk || reembed };
  }

  removeBase(scope: TeamScope, id: string) {
    return removeBase(this.deps.db, scope, id);
  }

  listDocuments(teamId: string, baseId: string): DocumentView[] {
    loadBase(this.deps.db, teamId, baseId);
    return listDocuments(this.deps.db, teamId, baseId);
  }

  documentChunks(teamId: string, baseId: string, documentId: string, page: { offset: number; limit: number }) {
    return documentChunks(this.deps.db, teamId, baseId, documentId, page);
  }

  /** Checks, parses (in the worker) and stores an uploaded file; a file at fault is refused and nothing is stored. */
  async addFile(scope: TeamScope, baseId: string, file: { name: string; bytes: Uint8Array }): Promise<AddedDocument> {
    const base = loadBase(this.deps.db, scope.teamId, baseId);
    const name = cleanFileName(file.name);
    const format = refusedAsBadRequest(() => detectFormat(name, file.bytes, this.limits));
    return this.ingest(scope, base, { name, sourceUrl: null, format, bytes: file.bytes });
  }

  /** Fetches a web page through the SSRF guard and adds it like an uploaded file. */
  async addUrl(scope: TeamScope, baseId: string, url: string): Promise<AddedDocument> {
    const base = loadBase(this.deps.db, scope.teamId, baseId);
    let response: Response;
    try {
      response = await this.deps.fetchUrl(url, { headers: { accept: "text/html, text/markdown, text/plain, application/pdf;q=0.9" }, signal: AbortSignal.timeout(20_000) });
    } catch (error) {
      throw badRequest(`Could not fetch ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!response.ok) throw badRequest(`${url} answered ${response.status}; check the address.`);
    const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const format = FORMAT_BY_CONTENT_TYPE[type];
    if (!format) throw badRequest(`${url} is ${type || "of no stated type"}; a web page must be HTML, Markdown, plain text or PDF.`);
    const declared = Number(response.headers.get("content-length") ?? 0);
    if (declared > this.limits.maxFileBytes) throw badRequest(`${url} is ${formatBytes(declared)}; a page may be at most ${formatBytes(this.limits.maxFileBytes)}.`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const path = new URL(url).pathname.split("/").filter(Boolean).pop() ?? new URL(url).hostname;
    const name = cleanFileName(path.includes(".") ? path : `${path}.${EXTENSION_OF[format]}`);
    refusedAsBadRequest(() => detectFormat(`${name.replace(/\.[^.]*$/, "")}.${EXTENSION_OF[format]}`, bytes, this.limits));
    return this.ingest(scope, base, { name, sourceUrl: url, format, bytes });
  }

  private async ingest(scope: TeamScope, base: KnowledgeBaseRow, input: { name: string; sourceUrl: string | null; format: DocumentFormat; bytes: Uint8Array }): Promise<AddedDocument> {
    const { db } = this.deps;
    // Cheap checks first, so a duplicate or a full team does not wait for the parser.
    const hash = sha256(input.bytes);
    const existing = db.select().from(knowledgeDocuments).where(and(eq(knowledgeDocuments.knowledgeBaseId, base.id), eq(knowledgeDocuments.contentHash, hash))).get();
    if (existing) return { document: documentView(db, existing), duplicate: true };
    const parsed = await this.parse(input.name, input.format, input.bytes, base);
    // The base may have been deleted while the file was parsed.
    loadBase(db, scope.teamId, base.id);
    const pages = parsed.pages ?? null;
    const { document, jobId, duplicate } = insertDocument(db, scope, { knowledgeBaseId: base.id, ...input, pages }, this.limits);
    if (jobId) this.ingestion.enqueue(jobId, parsed);
    return { document: documentView(db, document), duplicate };
  }

  private async parse(name: string, format: DocumentFormat, bytes: Uint8Array, base: KnowledgeBaseRow) {
    try {
      return await this.deps.parser.parse({ name, format, bytes, limits: this.limits, split: { chunkSize: base.chunkSize, chunkOverlap: base.chunkOverlap } }, undefined, base.teamId);
    } catch (error) {
      if (error instanceof UnsupportedDocumentError) throw badRequest(error.message);
      if (error instanceof ParserBusyError) throw new DomainError("TOO_MANY_REQUESTS", error.message);
      throw error;
    }
  }

  /** Parses the stored file again and replaces the document's chunks when done. */
  reindexDocument(scope: TeamScope, baseId: string, documentId: string): DocumentView {
    const { db } = this.deps;
    loadDocument(db, scope.teamId, baseId, documentId);
    if (!db.select({ id: knowledgeFiles.documentId }).from(knowledgeFiles).where(eq(knowledgeFiles.documentId, documentId)).get()) throw notFound("Document file");
    insertJob(db, scope.teamId, documentId);
    this.ingestion.wake();
    return documentView(db, loadDocument(db, scope.teamId, baseId, documentId));
  }

  removeDocument(scope: TeamScope, baseId: string, documentId: string) {
    return removeDocument(this.deps.db, scope, baseId, documentId);
  }

  /** Searches a base of this team; another team's base is NOT_FOUND. */
  async search(teamId: string, baseId: string, query: string, options: SearchOptions): Promise<SearchAnswer> {
    const base = loadBase(this.deps.db, teamId, baseId);
    try {
      return await searchBase(this.deps.sqlite, this.deps.embeddingsFor, base, query, options);
    } catch (error) {
      if (error instanceof EmbeddingsError) throw badRequest(error.message);
      throw error;
    }
  }
}

function refusedAsBadRequest<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof UnsupportedDocumentError) throw badRequest(error.message);
    throw error;
  }
}
