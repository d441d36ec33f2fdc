import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DocumentParser, ParserBusyError } from "#server/knowledge/document-parser";
import { nextTeam, RoundRobin } from "#server/knowledge/round-robin";
import { createTestBackend, type TestBackend } from "../../support/harness";

describe("round robin across teams", () => {
  it("takes one item of each waiting team in turn, oldest first within a team", () => {
    const queue = new RoundRobin<string>();
    for (let i = 1; i <= 4; i++) queue.push("team_a", `a${i}`);
    queue.push("team_b", "b1");
    queue.push("team_c", "c1");
    queue.push("team_b", "b2");
    const order: string[] = [];
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) order.push(item);
    expect(order).toEqual(["a1", "b1", "c1", "a2", "b2", "a3", "a4"]);
    expect(queue.size).toBe(0);
  });

  it("gives the next turn to the team after the last one served, wrapping around", () => {
    expect(nextTeam(["team_b", "team_a", "team_a"], null)).toBe("team_a");
    expect(nextTeam(["team_b", "team_a"], "team_a")).toBe("team_b");
    expect(nextTeam(["team_b", "team_a"], "team_b")).toBe("team_a");
    expect(nextTeam([], "team_a")).toBeUndefined();
  });
});

describe("the parser's queue", () => {
  it("refuses a team more documents than its share, and still takes another team's", async () => {
    const parser = new DocumentParser({ maxQueued: 8, maxQueuedPerTeam: 2 });
    try {
      const job = (text: string) => ({ name: `${text}.txt`, format: "text" as const, bytes: Buffer.from(text), limits: { maxPages: 10, maxUnpackedBytes: 1e6, maxTextChars: 1e5 }, split: { chunkSize: 100, chunkOverlap: 10 } });
      const first = parser.parse(job("one"), undefined, "team_a");
      const second = parser.parse(job("two"), undefined, "team_a");
      await expect(parser.parse(job("three"), undefined, "team_a")).rejects.toThrow(new ParserBusyError("Your team has 2 documents waiting to be parsed; add more when some are done."));
      const other = parser.parse(job("four"), undefined, "team_b");
      expect([(await first).chunks, (await second).chunks, (await other).chunks]).toEqual([[{ text: "one" }], [{ text: "two" }], [{ text: "four" }]]);
    } finally {
      await parser.close();
    }
  });
});

let backend: TestBackend;
beforeAll(async () => {
  backend = await createTestBackend();
});
afterAll(async () => {
  await backend.close();
});

const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("one team's many uploads do not starve another team's one", () => {
  it("parses and indexes the other team's single upload within the first few, not after all of the busy team's", async () => {
    const busy = await backend.signedUpClient("busy-team@example.com");
    const other = await backend.signedUpClient("other-team@example.com");
    const busyBase = await busy.trpc.knowledge.create({ name: "Bulk" });
    const otherBase = await other.trpc.knowledge.create({ name: "Single" });

    const parsed: string[] = [];
    const uploads = Array.from({ length: 16 }, (_, i) =>
      busy.trpc.knowledge.documents
        .upload({ knowledgeBaseId: busyBase.id, name: `bulk-${i}.md`, contentBase64: base64(`# Bulk ${i}\n\n${"Paragraph of the bulk upload. ".repeat(200)}${i}`) })
        .then(() => parsed.push(`bulk-${i}`)),
    );
    uploads.push(other.trpc.knowledge.documents.upload({ knowledgeBaseId: otherBase.id, name: "single.md", contentBase64: base64("# Single\n\nThe one document.") }).then(() => parsed.push("single")));
    await Promise.all(uploads);
    await backend.services.knowledge.whenIdle();

    // Parsing (the upload's answer): the single upload is among the first three, not the 17th.
    expect(parsed.indexOf("single")).toBeLessThan(3);
    // Indexing (the job queue): it is indexed before most of the busy team's documents.
    const indexedOrder = (backend.sqlite.prepare("select name from knowledge_documents where knowledge_base_id in (?, ?) order by indexed_at, rowid").all(busyBase.id, otherBase.id) as { name: string }[]).map(
      (d) => d.name,
    );
    expect(indexedOrder).toHaveLength(17);
    expect(indexedOrder.indexOf("single.md")).toBeLessThan(3);
  });
});
