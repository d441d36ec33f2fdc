import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBackend, type TestBackend, type TestClient } from "../../support/harness";
import { outcomeOf } from "../../support/trpc-errors";

/**
 * A small "semantic" embeddings server for the test: it knows that car, automobile and tyres
 * are about vehicles and soup and canteen about food, and nothing about product codes. So it
 * finds what keyword search misses (a synonym), and misses what keyword search finds (a code),
 * which is the case hybrid search is for. It answers on 127.0.0.1 like Ollama would.
 */
const CONCEPTS: Record<string, number> = { car: 0, automobile: 0, vehicle: 0, tyres: 0, soup: 1, canteen: 1, lunch: 1, bicycle: 2, bicycles: 2, cycling: 2 };
function conceptVector(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const concept = CONCEPTS[word];
    if (concept === undefined) vector[dimensions - 1] = (vector[dimensions - 1] as number) + 0.1;
    else vector[concept] = (vector[concept] as number) + 1;
  }
  return vector;
}

let backend: TestBackend;
let owner: TestClient;
let embeddings: Server;
let embeddingsUrl: string;
const requestedModels: string[] = [];
/** While set, requests for "concepts-8" wait for it: the test looks at a re-embedding half way. */
let holdConcepts8: Promise<void> | null = null;

beforeAll(async () => {
  embeddings = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", async () => {
      const { input, model } = JSON.parse(body) as { input: string[]; model: string };
      requestedModels.push(model);
      if (model === "concepts-8" && holdConcepts8) await holdConcepts8;
      if (model === "broken") {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "model not loaded" } }));
        return;
      }
      const dimensions = model === "concepts-8" ? 8 : 4;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", model, data: input.map((text, index) => ({ object: "embedding", index, embedding: conceptVector(text, dimensions) })) }));
    });
  });
  await new Promise<void>((resolve) => embeddings.listen(0, "127.0.0.1", resolve));
  embeddingsUrl = `http://127.0.0.1:${(embeddings.address() as AddressInfo).port}/v1`;
  backend = await createTestBackend({ env: { SKYLOOM_ALLOW_PRIVATE_URLS: "127.0.0.1" } });
  owner = await backend.signedUpClient("hybrid@example.com");
});
afterAll(async () => {
  await backend.close();
  await new Promise((resolve) => embeddings.close(resolve));
});

const CORPUS: Record<string, string> = {
  "tyres.txt": "The automobile needs new tyres before winter.",
  "codes.txt": "Error XJ9000 means the battery is flat.",
  "canteen.txt": "The canteen serves soup at noon.",
  "yard.txt": "Bicycles are parked in the yard.",
};

async function corpusBase(searchMode: "keyword" | "vector" | "hybrid") {
  const kb = await owner.trpc.knowledge.create({ name: `Garage ${searchMode}`, searchMode, embeddingBaseUrl: embeddingsUrl, embeddingModel: "concepts-4" });
  for (const [name, text] of Object.entries(CORPUS)) {
    await owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name, contentBase64: Buffer.from(text).toString("base64") });
  }
  await backend.services.knowledge.whenIdle();
  return kb;
}

const names = (answer: { results: { documentName: string }[] }) => answer.results.map((r) => r.documentName);

describe("hybrid search on a corpus where keyword and vector search each miss what the other finds", () => {
  it("keyword finds the error code but not the synonym; vector finds the synonym but not the code; hybrid finds both", async () => {
    const kb = await corpusBase("hybrid");
    const query = "car XJ9000";
    const keyword = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query, mode: "keyword" });
    expect(names(keyword)).toEqual(["codes.txt"]);

    const vector = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query, mode: "vector", minScore: 0.5 });
    expect(names(vector)).toEqual(["tyres.txt"]);
    expect(vector.results[0]?.score).toBeGreaterThan(0.9);

    const hybrid = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query, topK: 2 });
    expect(hybrid.mode).toBe("hybrid");
    expect(names(hybrid).sort()).toEqual(["codes.txt", "tyres.txt"]);
    const codes = hybrid.results.find((r) => r.documentName === "codes.txt");
    expect(codes?.ranks.keyword).toBe(1);
    expect(hybrid.results.find((r) => r.documentName === "tyres.txt")?.ranks.vector).toBe(1);
    expect(hybrid.notice).toBeUndefined();
  });

  it("top-k and the score threshold cut the list", async () => {
    const kb = await corpusBase("vector");
    const all = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "lunch in the canteen", topK: 10 });
    expect(all.results.length).toBe(4);
    expect(names(all)[0]).toBe("canteen.txt");
    expect(all.results.map((r) => r.score)).toEqual([...all.results.map((r) => r.score)].sort((a, b) => b - a));
    const top = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "lunch in the canteen", topK: 1 });
    expect(names(top)).toEqual(["canteen.txt"]);
    const strict = await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "lunch in the canteen", topK: 10, minScore: 0.99 });
    expect(strict.results.length).toBeLessThan(4);
  });

  it("a new embeddings model re-embeds in the background with progress; searches use the old vectors until one transaction swaps the new ones in", async () => {
    const kb = await corpusBase("hybrid");
    expect((await owner.trpc.knowledge.get({ id: kb.id })).embedding.dimensions).toBe(4);
    const vectorsOf = (dimensions: number) =>
      (backend.sqlite.prepare("select count(*) n from knowledge_chunk_vectors where knowledge_base_id = ? and length(embedding) = ?").get(kb.id, dimensions * 4) as { n: number }).n;
    expect(vectorsOf(4)).toBe(4);
    let release = () => {};
    holdConcepts8 = new Promise<void>((resolve) => (release = resolve));
    const updated = await owner.trpc.knowledge.update({
      id: kb.id,
      settings: { name: "Garage renamed", searchMode: "hybrid", embeddingBaseUrl: embeddingsUrl, embeddingModel: "concepts-8" },
    });
    expect(updated.reindexing).toBe(true);
    // Half way (the new model has not answered): the old model and vectors still answer searches.
    await expect.poll(() => requestedModels.includes("concepts-8")).toBe(true);
    const during = await owner.trpc.knowledge.get({ id: kb.id });
    expect(during).toMatchObject({ name: "Garage renamed", embedding: { model: "concepts-4", dimensions: 4 }, reembedding: { model: "concepts-8", progress: 0, error: null } });
    expect(vectorsOf(4)).toBe(4);
    const before = requestedModels.length;
    expect(names(await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "car", mode: "vector", topK: 1 }))).toEqual(["tyres.txt"]);
    expect(requestedModels.slice(before)).toEqual(["concepts-4"]);
    // A document added meanwhile is embedded with the old model now, and with the new one before the swap.
    await owner.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "bike.txt", contentBase64: Buffer.from("Cycling to work on bicycles.").toString("base64") });

    release();
    holdConcepts8 = null;
    await backend.services.knowledge.whenIdle();
    const after = await owner.trpc.knowledge.get({ id: kb.id });
    expect(after).toMatchObject({ embedding: { model: "concepts-8", dimensions: 8 }, reembedding: null });
    expect([vectorsOf(4), vectorsOf(8)]).toEqual([0, 5]);
    expect(backend.sqlite.prepare("select count(*) n from knowledge_vector_staging").get()).toEqual({ n: 0 });
    expect(names(await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "car", mode: "vector", topK: 1 }))).toEqual(["tyres.txt"]);
    expect(names(await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "bicycle", mode: "vector", topK: 1 }))).toEqual(["bike.txt"]);
    expect(requestedModels.at(-1)).toBe("concepts-8");
  });

  it("a new embeddings model that fails leaves the base on its old vectors, with the reason shown", async () => {
    const kb = await corpusBase("vector");
    await owner.trpc.knowledge.update({ id: kb.id, settings: { name: kb.name, searchMode: "vector", embeddingBaseUrl: embeddingsUrl, embeddingModel: "broken" } });
    await backend.services.knowledge.whenIdle();
    const after = await owner.trpc.knowledge.get({ id: kb.id });
    expect(after.embedding).toMatchObject({ model: "concepts-4", dimensions: 4 });
    expect(after.reembedding).toMatchObject({ model: "broken" });
    expect(after.reembedding?.error).toMatch(/model not loaded|500/);
    expect(names(await owner.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "car", topK: 1 }))).toEqual(["tyres.txt"]);
    // Changing back to the model in use drops the failed request.
    await owner.trpc.knowledge.update({ id: kb.id, settings: { name: kb.name, searchMode: "vector", embeddingBaseUrl: embeddingsUrl, embeddingModel: "concepts-4" } });
    expect((await owner.trpc.knowledge.get({ id: kb.id })).reembedding).toBeNull();
  });

  it("an embeddings URL on a private address is refused by the SSRF guard when the operator has not allowed it", async () => {
    const strict = await createTestBackend();
    try {
      const person = await strict.signedUpClient("strict@example.com");
      const kb = await person.trpc.knowledge.create({ name: "Strict", searchMode: "vector", embeddingBaseUrl: embeddingsUrl });
      await person.trpc.knowledge.documents.upload({ knowledgeBaseId: kb.id, name: "a.txt", contentBase64: Buffer.from("automobile").toString("base64") });
      await strict.services.knowledge.whenIdle();
      const [document] = await person.trpc.knowledge.documents.list({ knowledgeBaseId: kb.id });
      expect(document?.status).toBe("failed");
      expect(document?.error).toMatch(/^The embeddings server at http:\/\/127\.0\.0\.1:\d+\/v1 could not be reached: Refused to connect to 127\.0\.0\.1/);
      expect(await outcomeOf(person.trpc.knowledge.search({ knowledgeBaseId: kb.id, query: "car" }))).toMatch(/^BAD_REQUEST: The embeddings server at .* could not be reached: Refused to connect/);
    } finally {
      await strict.close();
    }
  });
});
