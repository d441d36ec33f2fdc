import { sql } from "drizzle-orm";
import { blob, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { credentials } from "./secrets";
import { teams } from "./teams";
import { users } from "./auth";

/**
 * Knowledge bases: a team's documents, split into chunks that agents search by keyword (FTS5,
 * BM25), by vector (sqlite-vec) or both. Two virtual tables live beside these, written by the
 * migration and by server/knowledge/store.ts, never by drizzle: `knowledge_chunks_fts` (FTS5,
 * external content = knowledge_chunks, kept in step by triggers) and `knowledge_vector_codes`
 * (sqlite-vec, 1,024-bit codes of the vectors, partitioned by knowledge base; ADR 026).
 */
export const SEARCH_MODES = ["keyword", "vector", "hybrid"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export const knowledgeBases = sqliteTable(
  "knowledge_bases",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    searchMode: text("search_mode", { enum: SEARCH_MODES }).notNull().default("keyword"),
    /** Characters per chunk and characters shared by neighbouring chunks. */
    chunkSize: integer("chunk_size").notNull(),
    chunkOverlap: integer("chunk_overlap").notNull(),
    /** OpenAI-compatible /v1/embeddings: a base URL (empty = the default embeddings server) and model. */
    embeddingBaseUrl: text("embedding_base_url").notNull().default(""),
    embeddingModel: text("embedding_model").notNull().default(""),
    embeddingCredentialId: text("embedding_credential_id").references(() => credentials.id, { onDelete: "set null" }),
    /** Set by the first embedded chunk; every vector of the base has this length. */
    embeddingDimensions: integer("embedding_dimensions"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("knowledge_bases_team_idx").on(t.teamId)],
);

export const DOCUMENT_STATUSES = ["processing", "indexed", "failed"] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const knowledgeDocuments = sqliteTable(
  "knowledge_documents",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    knowledgeBaseId: text("knowledge_base_id")
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The page's address for a document added by URL. */
    sourceUrl: text("source_url"),
    /** pdf, docx, markdown, html, text or csv: detected from the bytes and the name. */
    format: text("format").notNull(),
    /** SHA-256 of the bytes: the same file twice in one base is one document. */
    contentHash: text("content_hash").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    pages: integer("pages"),
    /** Only `indexed` documents' chunks are searched (they are written in the same transaction). */
    status: text("status", { enum: DOCUMENT_STATUSES }).notNull(),
    error: text("error"),
    chunkCount: integer("chunk_count").notNull().default(0),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    indexedAt: integer("indexed_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("knowledge_documents_hash_idx").on(t.knowledgeBaseId, t.contentHash),
    index("knowledge_documents_team_idx").on(t.teamId),
  ],
);

/** The uploaded bytes, kept so an interrupted job can resume and a document can be re-indexed. */
export const knowledgeFiles = sqliteTable("knowledge_files", {
  documentId: text("document_id")
    .primaryKey()
    .references(() => knowledgeDocuments.id, { onDelete: "cascade" }),
  bytes: blob("bytes", { mode: "buffer" }).notNull(),
});

export const JOB_STATUSES = ["queued", "running", "done", "failed"] as const;
export const JOB_STAGES = ["queued", "parsing", "chunking", "embedding", "indexing", "indexed"] as const;
export type JobStage = (typeof JOB_STAGES)[number];

/** Ingestion work that survives a restart: queued and running jobs are picked up at start. */
export const knowledgeJobs = sqliteTable(
  "knowledge_jobs",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    documentId: text("document_id")
      .notNull()
      .references(() => knowledgeDocuments.id, { onDelete: "cascade" }),
    status: text("status", { enum: JOB_STATUSES }).notNull(),
    stage: text("stage", { enum: JOB_STAGES }).notNull(),
    /** 0..1 within the stage (embedding reports it batch by batch). */
    progress: integer("progress_permille").notNull().default(0),
    /** Starts so far; a job that was running when the server stopped is retried once. */
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("knowledge_jobs_open_idx").on(t.status).where(sql`status in ('queued', 'running')`),
    index("knowledge_jobs_document_idx").on(t.documentId),
  ],
);

export const knowledgeChunks = sqliteTable(
  "knowledge_chunks",
  {
    /** An integer key: FTS5's rowid and the vec0 tables' chunk_id are this id. */
    id: integer("id").primaryKey({ autoIncrement: true }),
    knowledgeBaseId: text("knowledge_base_id")
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: "cascade" }),
    documentId: text("document_id")
      .notNull()
      .references(() => knowledgeDocuments.id, { onDelete: "cascade" }),
    ord: integer("ord").notNull(),
    text: text("text").notNull(),
    /** Where in the document: a PDF page number, or the heading path ("Setup › Linux"). */
    page: integer("page"),
    heading: text("heading"),
  },
  (t) => [index("knowledge_chunks_document_idx").on(t.documentId, t.ord), index("knowledge_chunks_kb_idx").on(t.knowledgeBaseId)],
);

/**
 * Each chunk's embedding as float32 bytes, for the exact re-scoring of vector search's
 * candidates. The coarse pass reads 1,024-bit codes in the vec0 table knowledge_vector_codes
 * (created by the migration; see server/knowledge/store.ts and ADR 026).
 */
export const knowledgeChunkVectors = sqliteTable(
  "knowledge_chunk_vectors",
  {
    chunkId: integer("chunk_id")
      .primaryKey()
      .references(() => knowledgeChunks.id, { onDelete: "cascade" }),
    knowledgeBaseId: text("knowledge_base_id")
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: "cascade" }),
    embedding: blob("embedding", { mode: "buffer" }).notNull(),
  },
  (t) => [index("knowledge_chunk_vectors_kb_idx").on(t.knowledgeBaseId)],
);

export const REEMBED_STATUSES = ["running", "failed"] as const;

/**
 * A change of a base's embeddings model, under way: the base keeps its settings and vectors
 * (searches use them) while every chunk is embedded with these settings into
 * knowledge_vector_staging; one transaction then swaps the new vectors and settings in.
 */
export const knowledgeReembeds = sqliteTable("knowledge_reembeds", {
  knowledgeBaseId: text("knowledge_base_id")
    .primaryKey()
    .references(() => knowledgeBases.id, { onDelete: "cascade" }),
  teamId: text("team_id")
    .notNull()
    .references(() => teams.id, { onDelete: "cascade" }),
  embeddingBaseUrl: text("embedding_base_url").notNull(),
  embeddingModel: text("embedding_model").notNull(),
  embeddingCredentialId: text("embedding_credential_id").references(() => credentials.id, { onDelete: "set null" }),
  status: text("status", { enum: REEMBED_STATUSES }).notNull(),
  progress: integer("progress_permille").notNull().default(0),
  error: text("error"),
  /** When these settings were asked for: staged vectors of an earlier request are never swapped in. */
  requestedAt: integer("requested_at", { mode: "timestamp_ms" }).notNull(),
});

/** New vectors (floats and 1,024-bit codes) of a re-embedding, not searchable until the swap. */
export const knowledgeVectorStaging = sqliteTable(
  "knowledge_vector_staging",
  {
    chunkId: integer("chunk_id")
      .primaryKey()
      .references(() => knowledgeChunks.id, { onDelete: "cascade" }),
    knowledgeBaseId: text("knowledge_base_id")
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: "cascade" }),
    embedding: blob("embedding", { mode: "buffer" }).notNull(),
    code: blob("code", { mode: "buffer" }).notNull(),
  },
  (t) => [index("knowledge_vector_staging_kb_idx").on(t.knowledgeBaseId)],
);
