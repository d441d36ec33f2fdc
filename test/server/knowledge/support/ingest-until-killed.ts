/**
 * Run as a child process by ingestion.test.ts: opens the database in argv[2], adds a document
 * to a vector knowledge base whose embeddings server never answers, prints "embedding" once
 * the job is stuck there, and waits to be killed with SIGKILL.
 */
import { eq } from "drizzle-orm";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { knowledgeJobs, teams, users } from "#db/schema";
import { DocumentParser } from "#server/knowledge/document-parser";
import { KnowledgeService } from "#server/knowledge/service";

const [path, teamId, userId] = process.argv.slice(2) as [string, string, string];
const { db, sqlite } = openDatabase(path, migrationsFolder());
db.insert(users).values({ id: userId, email: "killed@example.com", name: "K", passwordHash: "x", createdAt: new Date() }).run();
db.insert(teams).values({ id: teamId, name: "Team", createdAt: new Date() }).run();
const service = new KnowledgeService({
  db,
  sqlite,
  parser: new DocumentParser(),
  embeddingsFor: async () => ({ model: "never", embed: () => new Promise<Float32Array[]>(() => undefined) }),
  fetchUrl: fetch,
});
service.start();
const scope = { teamId, userId };
const base = service.createBase(scope, { name: "Doomed", description: "", searchMode: "vector", chunkSize: 400, chunkOverlap: 50, embeddingBaseUrl: "", embeddingModel: "", embeddingCredentialId: null });
await service.addFile(scope, base.id, { name: "ferry.md", bytes: Buffer.from("# Ferry\n\nThe ferry to the island leaves at nine.") });
const timer = setInterval(() => {
  const job = db.select().from(knowledgeJobs).where(eq(knowledgeJobs.status, "running")).get();
  if (job?.stage === "embedding") {
    clearInterval(timer);
    process.stdout.write(`embedding ${base.id}\n`);
  }
}, 20);
