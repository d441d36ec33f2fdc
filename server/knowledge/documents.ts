import { createHash } from "node:crypto";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db, DbLike } from "#db/client";
import { knowledgeChunks, knowledgeDocuments, knowledgeFiles, knowledgeJobs, type JobStage } from "#db/schema";
import { newId } from "#agents/graph/ids";
import { recordAudit } from "../services/audit";
import { badRequest, notFound } from "../services/errors";
import type { TeamScope } from "./bases";
import type { DocumentFormat } from "./formats";
import { formatBytes, type KnowledgeLimits } from "./limits";

export type DocumentRow = typeof knowledgeDocuments.$inferSelect;

export type DocumentView = {
  id: string;
  knowledgeBaseId: string;
  name: string;
  sourceUrl: string | null;
  format: string;
  sizeBytes: number;
  pages: number | null;
  status: DocumentRow["status"];
  error: string | null;
  chunkCount: number;
  createdAt: Date;
  indexedAt: Date | null;
  /** The open or last ingestion job: where it is (parsing, embedding …) and how far (0..1). */
  job: { status: string; stage: JobStage; progress: number; error: string | null } | null;
};

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export function loadDocument(db: Db, teamId: string, knowledgeBaseId: string, id: string): DocumentRow {
  const row = db
    .select()
    .from(knowledgeDocuments)
    .where(and(eq(knowledgeDocuments.id, id), eq(knowledgeDocuments.teamId, teamId), eq(knowledgeDocuments.knowledgeBaseId, knowledgeBaseId)))
    .get();
  if (!row) throw notFound("Document");
  return row;
}

function viewsOf(db: Db, rows: DocumentRow[]): DocumentView[] {
  if (rows.length === 0) return [];
  const jobs = db
    .select()
    .from(knowledgeJobs)
    .where(inArray(knowledgeJobs.documentId, rows.map((r) => r.id)))
    .orderBy(desc(knowledgeJobs.createdAt), desc(sql`rowid`))
    .all();
  return rows.map((row) => {
    const job = jobs.find((j) => j.documentId === row.id);
    return {
      id: row.id,
      knowledgeBaseId: row.knowledgeBaseId,
      name: row.name,
      sourceUrl: row.sourceUrl,
      format: row.format,
      sizeBytes: row.sizeBytes,
      pages: row.pages,
      status: row.status,
      error: row.error,
      chunkCount: row.chunkCount,
      createdAt: row.createdAt,
      indexedAt: row.indexedAt,
      job: job ? { status: job.status, stage: job.stage, progress: job.progress / 1000, error: job.error } : null,
    };
  });
}

export function listDocuments(db: Db, teamId: string, knowledgeBaseId: string): DocumentView[] {
  const rows = db
    .select()
    .from(knowledgeDocuments)
    .where(and(eq(knowledgeDocuments.teamId, teamId), eq(knowledgeDocuments.knowledgeBaseId, knowledgeBaseId)))
    .orderBy(asc(knowledgeDocuments.createdAt), asc(knowledgeDocuments.name))
    .all();
  return viewsOf(db, rows);
}

export function documentView(db: Db, row: DocumentRow): DocumentView {
  return viewsOf(db, [row])[0] as DocumentView;
}

export function documentChunks(db: Db, teamId: string, knowledgeBaseId: string, documentId: string, page: { offset: number; limit: number }) {
  loadDocument(db, teamId, knowledgeBaseId, documentId);
  const where = eq(knowledgeChunks.documentId, documentId);
  const total = db.select({ n: sql<number>`count(*)` }).from(knowledgeChunks).where(where).get()?.n ?? 0;
  const chunks = db
    .select({ id: knowledgeChunks.id, ord: knowledgeChunks.ord, text: knowledgeChunks.text, page: knowledgeChunks.page, heading: knowledgeChunks.heading })
    .from(knowledgeChunks)
    .where(where)
    .orderBy(asc(knowledgeChunks.ord))
    .limit(page.limit)
    .offset(page.offset)
    .all();
  return { total, chunks };
}

export type NewDocument = {
  knowledgeBaseId: string;
  name: string;
  sourceUrl: string | null;
  format: DocumentFormat;
  bytes: Uint8Array;
  pages: number | null;
};

/**
 * Stores a new document, its bytes and its ingestion job in one transaction, after checking
 * (inside it, so concurrent uploads cannot both pass) that the same bytes are not already in
 * the base and that the team stays within its storage. Returns the existing document for a
 * duplicate.
 */
export function insertDocument(
  db: Db,
  scope: TeamScope,
  input: NewDocument,
  limits: Pick<KnowledgeLimits, "maxTeamBytes">,
): { document: DocumentRow; jobId: string | null; duplicate: boolean } {
  const contentHash = sha256(input.bytes);
  return db.transaction((tx) => {
    const existing = tx
      .select()
      .from(knowledgeDocuments)
      .where(and(eq(knowledgeDocuments.knowledgeBaseId, input.knowledgeBaseId), eq(knowledgeDocuments.contentHash, contentHash)))
      .get();
    if (existing) return { document: existing, jobId: null, duplicate: true };
    const used = tx.select({ bytes: sql<number>`coalesce(sum(${knowledgeDocuments.sizeBytes}), 0)` }).from(knowledgeDocuments).where(eq(knowledgeDocuments.teamId, scope.teamId)).get()?.bytes ?? 0;
    if (used + input.bytes.length > limits.maxTeamBytes) {
      throw badRequest(
        `${input.name} (${formatBytes(input.bytes.length)}) does not fit: this team's knowledge bases hold ${formatBytes(used)} of ${formatBytes(limits.maxTeamBytes)}. Delete documents to make room.`,
      );
    }
    const id = newId("doc");
    const now = new Date();
    tx.insert(knowledgeDocuments)
      .values({
        id,
        teamId: scope.teamId,
        knowledgeBaseId: input.knowledgeBaseId,
        name: input.name,
        sourceUrl: input.sourceUrl,
        format: input.format,
        contentHash,
        sizeBytes: input.bytes.length,
        pages: input.pages,
        status: "processing",
        createdBy: scope.userId,
        createdAt: now,
      })
      .run();
    tx.insert(knowledgeFiles).values({ documentId: id, bytes: Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength) }).run();
    const jobId = insertJob(tx, scope.teamId, id);
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "knowledge.document.add", targetId: id, detail: { name: input.name, knowledgeBaseId: input.knowledgeBaseId } });
    const document = tx.select().from(knowledgeDocuments).where(eq(knowledgeDocuments.id, id)).get() as DocumentRow;
    return { document, jobId, duplicate: false };
  });
}

/** A queued ingestion job for the document, unless one is already waiting (then that one). */
export function insertJob(db: DbLike, teamId: string, documentId: string): string {
  const waiting = db
    .select({ id: knowledgeJobs.id })
    .from(knowledgeJobs)
    .where(and(eq(knowledgeJobs.documentId, documentId), eq(knowledgeJobs.status, "queued")))
    .get();
  if (waiting) return waiting.id;
  const id = newId("job");
  const now = new Date();
  db.insert(knowledgeJobs).values({ id, teamId, documentId, status: "queued", stage: "queued", createdAt: now, updatedAt: now }).run();
  return id;
}

export function removeDocument(db: Db, scope: TeamScope, knowledgeBaseId: string, id: string): { id: string } {
  loadDocument(db, scope.teamId, knowledgeBaseId, id);
  db.transaction((tx) => {
    // Cascades to the file, the jobs and the chunks; the chunks' triggers clear FTS and vectors.
    tx.delete(knowledgeDocuments).where(and(eq(knowledgeDocuments.id, id), eq(knowledgeDocuments.teamId, scope.teamId))).run();
    recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "knowledge.document.delete", targetId: id });
  });
  return { id };
}
