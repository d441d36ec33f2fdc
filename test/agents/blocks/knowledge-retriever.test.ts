import { describe, expect, it } from "vitest";
import { knowledgeRetrieverBlock } from "#agents/blocks/knowledge-retriever/block";
import { formatPassages, knowledgeRetrieverRunner } from "#agents/blocks/knowledge-retriever/run.server";
import { defaultConfig } from "#agents/blocks/index";
import type { KnowledgeSearchRequest, NodeContext, RetrievedChunk } from "#agents/runtime/context";
import { isTool } from "#agents/runtime/values";

const chunk = (citation: string, text: string, score: number): RetrievedChunk => ({ text, citation, documentName: citation.split(/[,›]/)[0]?.trim() ?? "", page: null, heading: null, sourceUrl: null, score });
const FOUND = [chunk("handbook.md › Refunds", "Refunds go to finance within thirty days.", 0.91), chunk("faq.pdf, page 2", "Tickets are refundable.", 0.4)];

function context(knowledge: NodeContext["knowledge"]) {
  const details: Record<string, unknown> = {};
  const ctx = { knowledge, addDetail: (key: string, value: unknown) => void (details[key] = value) } as unknown as NodeContext;
  return { ctx, details };
}

const node = { id: "kb", type: "knowledge.retriever", version: 1, config: {}, ui: { x: 0, y: 0 } };
const config = { ...defaultConfig(knowledgeRetrieverBlock), knowledgeBaseId: "kb_1", topK: 2, minScore: 0.3, searchMode: "hybrid" as const };

describe("knowledge.retriever", () => {
  it("searches with the block's settings and hands on passages with their sources, documents and a tool", async () => {
    const requests: KnowledgeSearchRequest[] = [];
    const { ctx, details } = context({ search: async (r) => (requests.push(r), { knowledgeBaseName: "Handbook", results: FOUND }) });
    const outputs = await knowledgeRetrieverRunner.run({ config, inputs: { query: "refund?" }, inputsById: { query: "refund?" }, node, ctx });
    expect(requests).toEqual([{ knowledgeBaseId: "kb_1", query: "refund?", topK: 2, minScore: 0.3, mode: "hybrid" }]);
    expect(outputs.context).toBe("[1] handbook.md › Refunds\nRefunds go to finance within thirty days.\n\n[2] faq.pdf, page 2\nTickets are refundable.");
    expect(outputs.documents).toMatchObject({ kind: "documents", documents: FOUND, trace: { knowledgeBase: "Handbook", query: "refund?" } });
    expect(details.passages).toEqual([
      { citation: "handbook.md › Refunds", score: 0.91 },
      { citation: "faq.pdf, page 2", score: 0.4 },
    ]);
    const tool = outputs.tool;
    if (!isTool(tool)) throw new Error("no tool");
    expect(tool.trace.name).toBe("search_knowledge");
    expect(await tool.tool.invoke({ query: "tickets" })).toBe(formatPassages(FOUND));
    expect(requests.at(-1)?.query).toBe("tickets");
  });

  it("with no question connected, only offers the tool; the base's own mode unless one is chosen", async () => {
    const requests: KnowledgeSearchRequest[] = [];
    const { ctx } = context({ search: async (r) => (requests.push(r), { knowledgeBaseName: "H", results: [] }) });
    const outputs = await knowledgeRetrieverRunner.run({ config: { ...config, searchMode: "base" }, inputs: {}, inputsById: {}, node, ctx });
    expect(requests).toEqual([]);
    expect(outputs.context).toBe("");
    const tool = outputs.tool;
    if (!isTool(tool)) throw new Error("no tool");
    expect(await tool.tool.invoke({ query: "x" })).toBe("No passage of the knowledge base matches this question.");
    expect(requests[0]).not.toHaveProperty("mode");
  });

  it("says what to fix: no base chosen, no knowledge bases where the flow runs", async () => {
    const { ctx } = context({ search: async () => ({ knowledgeBaseName: "H", results: [] }) });
    await expect(knowledgeRetrieverRunner.run({ config: { ...config, knowledgeBaseId: "" }, inputs: { query: "q" }, inputsById: { query: "q" }, node, ctx })).rejects.toThrow(
      "Choose a knowledge base in this block's settings.",
    );
    await expect(knowledgeRetrieverRunner.run({ config, inputs: { query: "q" }, inputsById: { query: "q" }, node, ctx: context(undefined).ctx })).rejects.toThrow(
      "Knowledge bases are not available where this flow runs.",
    );
  });
});
