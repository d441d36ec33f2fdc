import { z } from "zod";
import { defineBlock } from "../define-block";
import { toolDescriptionSchema, toolNameSchema } from "../tool-name";

/**
 * Finds the passages of a knowledge base that answer a question. Its outputs: the passages as
 * text with their sources (for a Prompt's {context}), the same as documents, and a tool an
 * Agent can call with its own question.
 */
export const knowledgeRetrieverBlock = defineBlock({
  type: "knowledge.retriever",
  version: 1,
  title: "Knowledge Retriever",
  category: "Knowledge",
  part: "agent",
  description: "Finds the passages of a knowledge base that answer a question, with their sources.",
  icon: "library",
  inputs: [{ id: "query", label: "Question", type: "text" }],
  outputs: [
    { id: "context", label: "Passages", type: "text" },
    { id: "documents", label: "Documents", type: "documents" },
    { id: "tool", label: "Tool", type: "tool" },
  ],
  roles: { knowledgeBase: { id: (config) => config.knowledgeBaseId } },
  config: z.object({
    knowledgeBaseId: z
      .string()
      .max(64)
      .default("")
      .meta({ title: "Knowledge base", description: "One of this team's knowledge bases (Knowledge in the header).", widget: "knowledge-base" }),
    topK: z
      .number()
      .int()
      .min(1, "Return at least 1 passage")
      .max(20, "Return at most 20 passages")
      .default(4)
      .meta({ title: "Passages", help: "How many of the best-matching passages to hand on (top-k)." }),
    minScore: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .meta({ title: "Minimum score", help: "Passages scoring below this (0 to 1) are left out; 0 keeps the best ones whatever their score." }),
    searchMode: z
      .enum(["base", "keyword", "vector", "hybrid"])
      .default("base")
      .meta({
        title: "Search by",
        enumLabels: { base: "The knowledge base's setting", keyword: "Keywords", vector: "Meaning (vectors)", hybrid: "Both (hybrid)" },
      }),
    name: toolNameSchema("search_knowledge"),
    description: toolDescriptionSchema("Searches the team's documents; returns passages with their sources. Cite the source shown in brackets."),
  }),
});
