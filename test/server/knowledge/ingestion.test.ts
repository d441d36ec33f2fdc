import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { devEmbedding } from "#server/dev-model/embeddings";
import { DocumentParser } from "#server/knowledge/document-parser";
import { KnowledgeService } from "#server/knowledge/service";
import { createTestBackend, type TestBackend, type TestClient } from "../../support/harness";
import { outcomeOf } from "../../support/trpc-errors";

describe("ingestion jobs survive a kill -9", () => {
  const dir = mkdtempSync(join(tmpdir(), "skyloom-kb-kill-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts the child, waits until its job is stuck at the embedding stage, and kills it with SIGKILL. */
  async function ingestUntilKilled(path: string): Promise<string> {
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "support", "ingest-until-killed.ts"), path, "team_killed", "user_killed"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const baseId = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /embedding (\S+)\n/.exec(out);
        if (match) resolve(match[1] as string);
      });
      child.once("exit", (code) => reject(new Error(`the child exited (${code}) before its job reached the embedding stage`)));
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    return baseId;
  }

  function serviceOn(handle: ReturnType<typeof openDatabase>) {
    return new KnowledgeService({
      db: handle.db,
      sqlite: handle.sqlite,
      parser: new DocumentParser(),
      embeddingsFor: async () => ({ model: "dev", embed: async (texts) => texts.map((t) => devEmbedding(t)) }),
      fetchUrl: fetch,
    });
  }
  const scope = { teamId: "team_killed", userId: "user_killed" };

  it("a job interrupted mid-way left nothing searchable, and runs again at the next start", async () => {
    const path = join(dir, "resume.db");
    const baseId = await ingestUntilKilled(path);
    const handle = openDatabase(path, migrationsFolder());
    const service = serviceOn(handle);
    try {
      // Before the restart picks the job up: the document is not searchable, no chunk was written.
      expect(handle.sqlite.prepare("select status from knowledge_jobs").all()).toEqual([{ status: "running" }]);
      expect(handle.sqlite.prepare("select count(*) n from knowledge_chunks").get()).toEqual({ n: 0 });
      expect((await service.search(scope.teamId, baseId, "ferry island", { topK: 5, minScore: 0 })).results).toEqual([]);
      service.start();
      await service.whenIdle();
      expect(handle.sqlite.prepare("select status, attempts from knowledge_jobs").all()).toEqual([{ status: "done", attempts: 2 }]);
      const answer = await service.search(scope.teamId, baseId, "ferry island", { topK: 5, minScore: 0 });
      expect(answer.results.map((r) => r.citation)).toEqual(["ferry.md › Ferry"]);
    } finally {
      await service.close();
      handle.close();
    }
  }, 120_000);

  it("a job interrupted as often as it may be tried fails with its reason", async () => {
    const path = join(dir, "fail.db");
    await ingestUntilKilled(path);
    const handle = openDatabase(path, migrationsFolder());
    // It was tried once already: the second interruption is the last one allowed.
    handle.sqlite.prepare("update knowledge_jobs set attempts = 2").run();
    const service = serviceOn(handle);
    try {
      service.start();
      await service.whenIdle();
      const document = handle.sqlite.prepare("select status, error from knowledge_documents").get();
      expect(document).toEqual({
        status: "failed",
        error: "Skyloom stopped 2 times while indexing this document (last at the embedding stage); upload it again or re-index it.",
      });
      expect(handle.sqlite.prepare("select count(*) n from knowledge_chunks").get()).toEqual({ n: 0 });
    } finally {
      await service.close();
      handle.close();
    }
  }, 120_000);
});

describe("limits under concurrency, and web pages", () => {
  let backend: TestBackend;
  let owner: TestClient;
  let pages: Server;
  let pageBase: string;

  beforeAll(async () => {
    pages = createServer((req, res) => {
      if (req.url === "/guide.html") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<html><head><title>Guide</title></head><body><h1>Returns</h1><p>Returns are accepted for sixty days.</p></body></html>");
      if (req.url === "/image.png") return void res.writeHead(200, { "content-type": "image/png" }).end("png");
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
    pageBase = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    backend = await createTestBackend({ env: { SKYLOOM_ALLOW_PRIVATE_URLS: "127.0.0.1" }, adapters: { knowledge: { limits: { maxTeamBytes: 1000 } } } });
    owner = await backend.signedUpClient("limits@example.com");
  });
  afterAll(async () => {
    await backend.close();
    await new Promise((resolve) => pages.close(resolve));
  });

  it("concurrent uploads never take a team past its storage", async () => {
    const kb = await owner.trpc.knowledge.create({ name: "Small team" });
    const uploads = Array.from({ length: 6 }, (_, i) =>
      outcomeOf(owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: `f${i}.txt`, contentBase64: Buffer.from(`${i} ${"x".repeat(298)}`).toString("base64") })),
    );
    const outcomes = await Promise.all(uploads);
    expect(outcomes.filter((o) => o === "no error")).toHaveLength(3);
    for (const refused of outcomes.filter((o) => o !== "no error")) {
      expect(refused).toMatch(/^BAD_REQUEST: f\d\.txt \(300 bytes\) does not fit: this team's knowledge bases hold 900 bytes of 1000 bytes\. Delete documents to make room\.$/);
    }
    expect((await owner.trpc.knowledge.get({ id: kb.id })).sizeBytes).toBe(900);
    await backend.services.knowledge.whenIdle();
  });

  it("adds a web page through the SSRF guard, citing its address", async () => {
    const reader = await backend.signedUpClient("web@example.com");
    const kb = await reader.trpc.knowledge.create({ name: "Web" });
    const added = await reader.trpc.knowledge.documents.addUrl({ knowledgeBaseId: kb.id, url: `${pageBase}/guide.html` });
    expect(added.document).toMatchObject({ name: "guide.html", sourceUrl: `${pageBase}/guide.html`, format: "html" });
    await backend.services.knowledge.whenIdle();
    const answer = await reader.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "returns sixty days" });
    expect(answer.results[0]).toMatchObject({ citation: "guide.html › Returns", sourceUrl: `${pageBase}/guide.html` });
    expect(await outcomeOf(reader.trpc.knowledge.documents.addUrl({ knowledgeBaseId: kb.id, url: `${pageBase}/image.png` }))).toBe(
      `BAD_REQUEST: ${pageBase}/image.png is image/png; a web page must be HTML, Markdown, plain text or PDF.`,
    );
    expect(await outcomeOf(reader.trpc.knowledge.documents.addUrl({ knowledgeBaseId: kb.id, url: `${pageBase}/missing` }))).toBe(
      `BAD_REQUEST: ${pageBase}/missing answered 404; check the address.`,
    );
    expect(await outcomeOf(reader.trpc.knowledge.documents.addUrl({ knowledgeBaseId: kb.id, url: "http://169.254.169.254/latest/meta-data" }))).toMatch(
      /^BAD_REQUEST: Could not fetch http:\/\/169\.254\.169\.254\/latest\/meta-data: Refused to connect to 169\.254\.169\.254: it resolves to 169\.254\.169\.254, a cloud metadata service/,
    );
  });
});
