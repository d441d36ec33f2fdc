/**
 * Template gallery speed on the server: 2,000 public templates (each the seeded support agent's
 * graph, 7 blocks) shared by other teams; one search of the public shelf through the real tRPC
 * caller (session, team scope, SQL filter, first page of 100 cards with thumbnails, the
 * shelf's categories and tags). Goal (issue 14): ≤ 50 ms (median).
 */
import { newId } from "#agents/graph/ids";
import { templates } from "#db/schema";
import { readSeedTemplates } from "#server/services/template-seeds";
import { templateNeeds } from "#server/services/template-secrets";
import { createTestBackend } from "../test/support/harness";
import { formatStats, summarize } from "./support/stats";

const COUNT = 2_000;
const backend = await createTestBackend();
try {
  const reader = await backend.signedUpClient("reader@example.com");
  const sharer = await backend.signedUpClient("sharer@example.com");
  const sharerTeam = (await sharer.trpc.team.list()).find((t) => t.personal)?.id ?? "";
  const seed = readSeedTemplates().find((s) => s.key === "support-agent");
  if (!seed) throw new Error("support-agent seed missing");
  const categories = ["Agents", "Knowledge", "Data", "Text", "Logic", "Models"];
  const now = Date.now();
  const rows = Array.from({ length: COUNT }, (_, i) => ({
    id: newId("tpl"),
    teamId: sharerTeam,
    seedKey: null,
    visibility: "public" as const,
    name: `${i % 7 === 0 ? "Support" : "Research"} agent ${i}`,
    description: `Template number ${i}: answers questions about topic ${i % 50}.`,
    category: categories[i % categories.length] ?? "Agents",
    tags: [`topic-${i % 50}`, i % 2 === 0 ? "agent" : "chain"],
    readme: `# Template ${i}\n\n${"Some words about it. ".repeat(40)}`,
    graph: seed.graph,
    needs: templateNeeds(seed.graph),
    version: 1,
    uses: i,
    featuredRank: null,
    createdBy: null,
    createdAt: new Date(now - i * 1_000),
    updatedAt: new Date(now - i * 1_000),
  }));
  for (let i = 0; i < rows.length; i += 200) backend.db.insert(templates).values(rows.slice(i, i + 200)).run();

  const search = () => reader.trpc.template.list({ shelf: "public", search: "support agent", category: "Agents" });
  const first = await search();
  console.log(`${COUNT} public templates; the search finds ${first.total}, first page ${first.templates.length} cards, ${first.tags.length} tags`);
  for (let i = 0; i < 5; i++) await search(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    await search();
    samples.push(performance.now() - start);
  }
  console.log(formatStats("search the public shelf of 2,000 templates", "ms", samples));
  const median = summarize(samples).median;
  console.log(`goal ≤ 50 ms: ${median <= 50 ? "met" : "NOT met"}`);
} finally {
  await backend.close();
}
