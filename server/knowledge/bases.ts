import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "#db/client";
import { credentials, knowledgeBases, knowledgeChunks, knowledgeDocuments, knowledgeReembeds, SEARCH_MODES, type SearchMode } from "#db/schema";
import { newId } from "#agents/graph/ids";
import { recordAudit } from "../services/audit";
import { badRequest, notFound } from "../services/errors";

/** Who acts, and in which team: every query below is filtered by this team. */
export type TeamScope = { teamId: string; userId: string };

export const KnowledgeBaseName = z.string().trim().min(1, "Give the knowledge base a name").max(80, "A name is at most 80 characters");

/**
 * Chunk size is counted in tokens (about ¾ of a word each). 400 tokens is two or three
 * paragraphs: enough context for an answer, small enough that a search finds the passage and
 * not the whole chapter. Overlap repeats the end of one chunk at the start of the next, so a
 * sentence cut at a boundary is still found whole.
 */
export const DEFAULT_CHUNK_SIZE = 400;
export const DEFAULT_CHUNK_OVERLAP = 50;

export const KnowledgeBaseSettings = z
  .object({
    name: KnowledgeBaseName,
    description: z.string().trim().max(500, "A description is at most 500 characters").default(""),
    searchMode: z.enum(SEARCH_MODES).default("keyword"),
    chunkSize: z.number().int().min(50, "A chunk is at least 50 tokens").max(4000, "A chunk is at most 4000 tokens").default(DEFAULT_CHUNK_SIZE),
    chunkOverlap: z.number().int().min(0).max(1000).default(DEFAULT_CHUNK_OVERLAP),
    /** OpenAI-compatible base URL of the embeddings model; empty = Skyloom's default. */
    embeddingBaseUrl: z
      .string()
      .trim()
      .max(500)
      .refine((v) => v === "" || /^https?:\/\//i.test(v), "The embeddings base URL starts with http:// or https://")
      .default(""),
    embeddingModel: z.string().trim().max(200).default(""),
    embeddingCredentialId: z.string().min(1).max(64).nullable().default(null),
  })
  .refine((s) => s.chunkOverlap < s.chunkSize, { message: "The overlap must be smaller than the chunk size", path: ["chunkOverlap"] });
export type KnowledgeBaseSettingsInput = z.input<typeof KnowledgeBaseSettings>;
export type KnowledgeBaseSettings = z.output<typeof KnowledgeBaseSettings>;

export type KnowledgeBaseRow = typeof knowledgeBases.$inferSelect;

export type KnowledgeBaseView = {
  id: string;
  name: string;
  description: string;
  searchMode: SearchMode;
  chunkSize: number;
  chunkOverlap: number;
  embedding: { baseUrl: string; model: string; credentialId: string | null; dimensions: number | null };
  /** A change of embeddings model under way (searches use `embedding` until it is done), or failed. */
  reembedding: { baseUrl: string; model: string; credentialId: string | null; progress: number; error: string | null } | null;
  documentCount: number;
  chunkCount: number;
  sizeBytes: number;
  createdAt: Date;
};

export function loadBase(db: Db, teamId: string, id: string): KnowledgeBaseRow {
  const row = db.select().from(knowledgeBases).where(and(eq(knowledgeBases.id, id), eq(knowledgeBases.teamId, teamId))).get();
  if (!row) throw notFound("Knowledge base");
  return row;
}

function assertCredentialInTeam(db: Db, teamId: string, credentialId: string | null): void {
  if (credentialId === null) return;
  const found = db.select({ id: credentials.id }).from(credentials).where(and(eq(credentials.id, credentialId), eq(credentials.teamId, teamId))).get();
  if (!found) throw badRequest("embeddingCredentialId: no such credential in this team.");
}

function viewsOf(db: Db, rows: KnowledgeBaseRow[]): KnowledgeBaseView[] {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const inIds = sql.join(ids.map((id) => sql`${id}`), sql`, `);
  const documents = db
    .select({ kb: knowledgeDocuments.knowledgeBaseId, count: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${knowledgeDocuments.sizeBytes}), 0)` })
    .from(knowledgeDocuments)
    .where(sql`${knowledgeDocuments.knowledgeBaseId} in (${inIds})`)
    .groupBy(knowledgeDocuments.knowledgeBaseId)
    .all();
  const chunks = db
    .select({ kb: knowledgeChunks.knowledgeBaseId, count: sql<number>`count(*)` })
    .from(knowledgeChunks)
    .where(sql`${knowledgeChunks.knowledgeBaseId} in (${inIds})`)
    .groupBy(knowledgeChunks.knowledgeBaseId)
    .all();
  const reembeds = db.select().from(knowledgeReembeds).where(sql`${knowledgeReembeds.knowledgeBaseId} in (${inIds})`).all();
  return rows.map((row) => {
    const docs = documents.find((d) => d.kb === row.id);
    const reembed = reembeds.find((r) => r.knowledgeBaseId === row.id);
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      searchMode: row.searchMode,
      chunkSize: row.chunkSize,
      chunkOverlap: row.chunkOverlap,
      embedding: { baseUrl: row.embeddingBaseUrl, model: row.embeddingModel, credentialId: row.embeddingCredentialId, dimensions: row.embeddingDimensions },
      reembedding: reembed
        ? { baseUrl: reembed.embeddingBaseUrl, model: reembed.embeddingModel, credentialId: reembed.embeddingCredentialId, progress: reembed.progress / 1000, error: reembed.error }
        : null,
      documentCount: docs?.count ?? 0,
      chunkCount: chunks.find((c) => c.kb === row.id)?.count ?? 0,
      sizeBytes: docs?.bytes ?? 0,
      createdAt: row.createdAt,
    };
  });
}

export function listBases(db: Db, teamId: string): KnowledgeBaseView[] {
  return viewsOf(db, db.select().from(knowledgeBases).where(eq(knowledgeBases.teamId, teamId)).orderBy(asc(knowledgeBases.name)).all());
}

export function getBase(db: Db, teamId: string, id: string): KnowledgeBaseView {
  return viewsOf(db, [loadBase(db, teamId, id)])[0] as KnowledgeBaseView;
}

export function createBase(db: Db, scope: TeamScope, input: KnowledgeBaseSettings): KnowledgeBaseView {
  assertCredentialInTeam(db, scope.teamId, input.embeddingCredentialId);
  const id = newId("kb");
  db.transaction((tx) => {
    tx.insert(knowledgeBases)
      .values({ id, teamId: scope.teamId, ...input, createdBy: scope.userId, createdAt: new Date() })
      .run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "knowledge.create", targetId: id, detail: { name: input.name } });
  });
  return getBase(db, scope.teamId, id);
}

/** True when the change means every document must be split or embedded again. */
export function needsReindex(before: KnowledgeBaseRow, after: KnowledgeBaseSettings): { rechunk: boolean; reembed: boolean } {
  const rechunk = before.chunkSize !== after.chunkSize || before.chunkOverlap !== after.chunkOverlap;
  const embeddingChanged =
    before.embeddingBaseUrl !== after.embeddingBaseUrl || before.embeddingModel !== after.embeddingModel || before.embeddingCredentialId !== after.embeddingCredentialId;
  const wasEmbedded = before.searchMode !== "keyword";
  const isEmbedded = after.searchMode !== "keyword";
  return { rechunk, reembed: isEmbedded && (!wasEmbedded || embeddingChanged || rechunk) };
}

export function removeBase(db: Db, scope: TeamScope, id: string): { id: string } {
  loadBase(db, scope.teamId, id);
  db.transaction((tx) => {
    // Cascades to documents, files, jobs and chunks; the chunks' triggers clear FTS and vectors.
    tx.delete(knowledgeBases).where(and(eq(knowledgeBases.id, id), eq(knowledgeBases.teamId, scope.teamId))).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "knowledge.delete", targetId: id });
  });
  return { id };
}

export { assertCredentialInTeam };
