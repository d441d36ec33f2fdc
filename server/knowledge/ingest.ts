import type Database from "better-sqlite3";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "#db/client";
import { knowledgeBases, knowledgeDocuments, knowledgeFiles, knowledgeJobs, knowledgeReembeds, type JobStage } from "#db/schema";
import type { KnowledgeBaseRow } from "./bases";
import type { DocumentParser } from "./document-parser";
import { EmbeddingsError, embedWithProgress, type EmbeddingsClient } from "./embeddings";
import { UnsupportedDocumentError, type DocumentFormat } from "./formats";
import type { KnowledgeLimits } from "./limits";
import type { Chunk } from "./split";
import { failReembed, runReembed, type ReembedRow } from "./reembed";
import { nextTeam } from "./round-robin";
import { replaceChunks } from "./store";

/** A job that was running when the server stopped is retried this many times in all. */
export const MAX_JOB_ATTEMPTS = 2;

export type EmbeddingsResolver = (base: KnowledgeBaseRow) => Promise<EmbeddingsClient>;

export type IngestionDeps = {
  db: Db;
  sqlite: Database.Database;
  parser: DocumentParser;
  embeddingsFor: EmbeddingsResolver;
  limits: KnowledgeLimits;
};

type Parsed = { chunks: Chunk[]; pages?: number };
type JobRow = typeof knowledgeJobs.$inferSelect;
/** What the runner does next: a document's job, or a base's change of embeddings model (./reembed.ts). */
type Work = { kind: "document"; job: JobRow } | { kind: "reembed"; row: ReembedRow };

/** Raised inside the final transaction when a newer job for the document has replaced this one. */
class Superseded extends Error {}

/**
 * Runs ingestion jobs from the knowledge_jobs table, one at a time: parse and split (in the
 * parser's worker thread), embed (for vector and hybrid bases), then one transaction that
 * writes the chunks and their vectors and marks the document indexed. Until that transaction
 * commits, none of the document's new chunks can be searched. Jobs live in the database, so a
 * restart finds them: queued jobs run, and a job that was running (the server was killed) runs
 * again, or fails with its reason after MAX_JOB_ATTEMPTS.
 */
export class IngestionQueue {
  /** Chunks an upload already parsed (to refuse a bad file before storing it), by job id. */
  private readonly parsed = new Map<string, Parsed>();
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly abort = new AbortController();
  /** The team whose work ran last: the next turn goes to the team after it. */
  private lastTeam: string | null = null;

  constructor(private readonly deps: IngestionDeps) {}

  /** Picks up the jobs a previous run of the server left, then starts working. */
  start(): void {
    const { db } = this.deps;
    const now = new Date();
    const interrupted = db.select().from(knowledgeJobs).where(eq(knowledgeJobs.status, "running")).all();
    for (const job of interrupted) {
      if (job.attempts < MAX_JOB_ATTEMPTS) {
        db.update(knowledgeJobs).set({ status: "queued", stage: "queued", progress: 0, updatedAt: now }).where(eq(knowledgeJobs.id, job.id)).run();
      } else {
        this.fail(job, `Skyloom stopped ${job.attempts} times while indexing this document (last at the ${job.stage} stage); upload it again or re-index it.`);
      }
    }
    this.pump();
  }

  /** Queues a job; `parsed` saves parsing again when the upload already did it. */
  enqueue(jobId: string, parsed?: Parsed): void {
    if (parsed) this.parsed.set(jobId, parsed);
    this.pump();
  }

  /** Looks for queued jobs (new ones were written to the table). */
  wake(): void {
    this.pump();
  }

  /** Resolves when no job is queued or running (tests and the bench wait on it). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops after the current step; a job cut short stays `running` and is retried at the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  private pump(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = null;
    });
  }

  /**
   * Teams take turns (round robin): the next team after the last one served that has a queued
   * document or a change of model under way, and its oldest such work, documents first. One
   * team's 200 uploads do not make another team's single upload wait behind them.
   */
  private nextWork(): Work | undefined {
    const { db } = this.deps;
    const teamsWithJobs = db.selectDistinct({ team: knowledgeJobs.teamId }).from(knowledgeJobs).where(eq(knowledgeJobs.status, "queued")).all();
    const teamsWithReembeds = db.selectDistinct({ team: knowledgeReembeds.teamId }).from(knowledgeReembeds).where(eq(knowledgeReembeds.status, "running")).all();
    const team = nextTeam([...teamsWithJobs, ...teamsWithReembeds].map((t) => t.team), this.lastTeam);
    if (team === undefined) return undefined;
    this.lastTeam = team;
    const job = db
      .select()
      .from(knowledgeJobs)
      .where(and(eq(knowledgeJobs.status, "queued"), eq(knowledgeJobs.teamId, team)))
      .orderBy(asc(sql`rowid`))
      .limit(1)
      .get();
    if (job) return { kind: "document", job };
    const row = db
      .select()
      .from(knowledgeReembeds)
      .where(and(eq(knowledgeReembeds.status, "running"), eq(knowledgeReembeds.teamId, team)))
      .orderBy(asc(knowledgeReembeds.requestedAt))
      .limit(1)
      .get();
    return row ? { kind: "reembed", row } : undefined;
  }

  private async drain(): Promise<void> {
    for (let work = this.nextWork(); work && !this.stopped; work = this.nextWork()) {
      if (work.kind === "document") await this.runJob(work.job);
      else await this.runReembed(work.row);
    }
  }

  private async runJob(job: JobRow): Promise<void> {
    try {
      await this.run(job);
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof UnsupportedDocumentError || error instanceof EmbeddingsError) this.fail(job, error.message);
      else {
        console.error(`Knowledge ingestion job ${job.id} failed:`, error);
        this.fail(job, "Indexing failed because of an error in Skyloom; the server log has the details. Try re-indexing.");
      }
    } finally {
      this.parsed.delete(job.id);
    }
  }

  /** A failed change of model leaves the base on its old vectors, with the reason shown beside it. */
  private async runReembed(row: ReembedRow): Promise<void> {
    try {
      await runReembed(this.deps, row, this.abort.signal);
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof EmbeddingsError) failReembed(this.deps.db, row, error.message);
      else {
        console.error(`Re-embedding knowledge base ${row.knowledgeBaseId} failed:`, error);
        failReembed(this.deps.db, row, "Re-embedding failed because of an error in Skyloom; the server log has the details. Save the settings again to retry.");
      }
    }
  }

  private setStage(jobId: string, stage: JobStage, progress = 0): void {
    this.deps.db
      .update(knowledgeJobs)
      .set({ stage, progress: Math.round(progress * 1000), updatedAt: new Date() })
      .where(eq(knowledgeJobs.id, jobId))
      .run();
  }

  private async run(job: JobRow): Promise<void> {
    const { db, sqlite } = this.deps;
    db.update(knowledgeJobs)
      .set({ status: "running", stage: "parsing", progress: 0, attempts: job.attempts + 1, error: null, updatedAt: new Date() })
      .where(eq(knowledgeJobs.id, job.id))
      .run();
    const document = db.select().from(knowledgeDocuments).where(eq(knowledgeDocuments.id, job.documentId)).get();
    const base = document && db.select().from(knowledgeBases).where(eq(knowledgeBases.id, document.knowledgeBaseId)).get();
    if (!document || !base) return; // deleted meanwhile: the cascade took the job too
    const parsed = this.parsed.get(job.id) ?? (await this.parse(job.id, document, base));
    if (this.stopped) throw new Error("stopped");
    let vectors: Float32Array[] | null = null;
    if (base.searchMode !== "keyword" && parsed.chunks.length > 0) {
      this.setStage(job.id, "embedding");
      const client = await this.deps.embeddingsFor(base);
      vectors = await embedWithProgress(client, parsed.chunks.map((c) => c.text), (done) => this.setStage(job.id, "embedding", done), this.abort.signal);
    }
    this.setStage(job.id, "indexing");
    try {
      sqlite.transaction(() => this.commit(job, document.id, base.id, parsed, vectors))();
    } catch (error) {
      if (!(error instanceof Superseded)) throw error;
    }
  }

  private async parse(jobId: string, document: typeof knowledgeDocuments.$inferSelect, base: KnowledgeBaseRow): Promise<Parsed> {
    const file = this.deps.db.select().from(knowledgeFiles).where(eq(knowledgeFiles.documentId, document.id)).get();
    if (!file) throw new UnsupportedDocumentError(`The file of ${document.name} is gone; upload it again.`);
    return this.deps.parser.parse(
      { name: document.name, format: document.format as DocumentFormat, bytes: file.bytes, limits: this.deps.limits, split: { chunkSize: base.chunkSize, chunkOverlap: base.chunkOverlap } },
      () => this.setStage(jobId, "chunking"),
      base.teamId,
    );
  }

  /** The one transaction that makes a document's new chunks searchable. */
  private commit(job: JobRow, documentId: string, baseId: string, parsed: Parsed, vectors: Float32Array[] | null): void {
    const { db, sqlite } = this.deps;
    const current = db.select().from(knowledgeJobs).where(eq(knowledgeJobs.id, job.id)).get();
    const newer = db
      .select({ id: knowledgeJobs.id })
      .from(knowledgeJobs)
      .where(and(eq(knowledgeJobs.documentId, documentId), sql`rowid > (select rowid from knowledge_jobs where id = ${job.id})`, inArray(knowledgeJobs.status, ["queued", "running"])))
      .get();
    if (!current || newer) {
      if (current) db.update(knowledgeJobs).set({ status: "done", stage: "indexed", error: "Replaced by a newer job.", updatedAt: new Date() }).where(eq(knowledgeJobs.id, job.id)).run();
      throw new Superseded();
    }
    const base = db.select().from(knowledgeBases).where(eq(knowledgeBases.id, baseId)).get();
    if (!base) throw new Superseded();
    if (vectors && vectors.length > 0) {
      const dimensions = (vectors[0] as Float32Array).length;
      if (base.embeddingDimensions === null) db.update(knowledgeBases).set({ embeddingDimensions: dimensions }).where(eq(knowledgeBases.id, baseId)).run();
      else if (base.embeddingDimensions !== dimensions) {
        throw new EmbeddingsError(
          `The embeddings model answered ${dimensions}-dimension vectors, but this knowledge base holds ${base.embeddingDimensions}-dimension ones; change the model back, or re-index every document.`,
        );
      }
    }
    replaceChunks(sqlite, { knowledgeBaseId: baseId, documentId }, parsed.chunks, vectors);
    const now = new Date();
    db.update(knowledgeDocuments)
      .set({ status: "indexed", error: null, chunkCount: parsed.chunks.length, pages: parsed.pages ?? null, indexedAt: now })
      .where(eq(knowledgeDocuments.id, documentId))
      .run();
    db.update(knowledgeJobs).set({ status: "done", stage: "indexed", progress: 1000, updatedAt: now }).where(eq(knowledgeJobs.id, job.id)).run();
  }

  /** The job fails with its reason; a document that was never indexed shows it as failed. */
  private fail(job: JobRow, message: string): void {
    const { db, sqlite } = this.deps;
    sqlite.transaction(() => {
      db.update(knowledgeJobs).set({ status: "failed", error: message, updatedAt: new Date() }).where(eq(knowledgeJobs.id, job.id)).run();
      const document = db.select().from(knowledgeDocuments).where(eq(knowledgeDocuments.id, job.documentId)).get();
      if (!document) return;
      // A re-index that fails leaves the chunks already indexed searchable, with the error beside them.
      db.update(knowledgeDocuments)
        .set(document.indexedAt ? { error: message } : { status: "failed", error: message })
        .where(eq(knowledgeDocuments.id, document.id))
        .run();
    })();
  }
}
