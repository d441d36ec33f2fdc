import type { z } from "zod";
import { BlockRunError, type KnowledgeSearch, type NodeContext, type RetrievedChunk } from "../../runtime/context";
import { implement } from "../../runtime/implement";
import { langChainTool } from "../../runtime/langchain.server";
import type { DocumentsValue, ToolValue } from "../../runtime/values";
import { knowledgeRetrieverBlock } from "./block";

type Config = z.output<typeof knowledgeRetrieverBlock.config>;

/** Passages as a prompt reads them: numbered, each under its source. */
export function formatPassages(results: readonly RetrievedChunk[]): string {
  if (results.length === 0) return "No passage of the knowledge base matches this question.";
  return results.map((r, i) => `[${i + 1}] ${r.citation}\n${r.text}`).join("\n\n");
}

async function search(knowledge: KnowledgeSearch, config: Config, query: string) {
  if (!config.knowledgeBaseId) throw new BlockRunError("Choose a knowledge base in this block's settings.");
  return knowledge.search({
    knowledgeBaseId: config.knowledgeBaseId,
    query,
    topK: config.topK,
    minScore: config.minScore,
    ...(config.searchMode !== "base" ? { mode: config.searchMode } : {}),
  });
}

function knowledgeOf(ctx: NodeContext): KnowledgeSearch {
  if (!ctx.knowledge) throw new BlockRunError("Knowledge bases are not available where this flow runs.");
  return ctx.knowledge;
}

/**
 * Searches when a question reaches its input (passages and documents out), and always offers
 * the search as a tool. The search itself is the run context's: the server's resolves the
 * base within the run's team only.
 */
export const knowledgeRetrieverRunner = implement(knowledgeRetrieverBlock, async ({ config, inputs, ctx }) => {
  const query = inputs.query?.trim() ? inputs.query : undefined;
  let context = "";
  let documents: DocumentsValue = { kind: "documents", documents: [], trace: { knowledgeBase: config.knowledgeBaseId, query: "", passages: [] } };
  if (query !== undefined) {
    const answer = await search(knowledgeOf(ctx), config, query);
    context = formatPassages(answer.results);
    const passages = answer.results.map((r) => ({ citation: r.citation, score: Math.round(r.score * 1000) / 1000 }));
    documents = { kind: "documents", documents: answer.results, trace: { knowledgeBase: answer.knowledgeBaseName, query, passages } };
    ctx.addDetail("passages", passages);
    if (answer.notice) ctx.addDetail("notice", answer.notice);
  }

  const tool = await langChainTool();
  const searchTool = tool(
    async (args: { query: string }) => {
      const answer = await search(knowledgeOf(ctx), config, args.query);
      return formatPassages(answer.results);
    },
    {
      name: config.name,
      description: config.description,
      schema: { type: "object" as const, properties: { query: { type: "string" as const, description: "What to look for, in a few words or a question." } }, required: ["query"] },
    },
  );
  const toolValue: ToolValue = { kind: "tool", tool: searchTool, trace: { name: config.name, description: config.description } };
  return { context, documents, tool: toolValue };
});
