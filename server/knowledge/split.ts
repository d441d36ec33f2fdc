import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { Tiktoken } from "js-tiktoken/lite";
import cl100kBase from "js-tiktoken/ranks/cl100k_base";
import type { Section } from "./sections";

export type Chunk = { text: string; page?: number; heading?: string };

// The tokenizer's ranks come with js-tiktoken: LangChain's TokenTextSplitter would fetch them
// over the network at run time (and hang offline), so the length is counted here instead.
let encoder: Tiktoken | null = null;
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(cl100kBase);
  return encoder.encode(text, [], []).length;
}

/**
 * The splitter measures each piece of text up to three times (to sort it, to add it to a
 * chunk, to drop it from the overlap), and the tokenizer costs a few microseconds a
 * character: counting each piece once per document makes splitting about three times faster.
 */
function rememberingCounter(): (text: string) => number {
  const counted = new Map<string, number>();
  let remembered = 0;
  return (text) => {
    let count = counted.get(text);
    if (count !== undefined) return count;
    count = countTokens(text);
    // Long texts (whole sections) are measured once anyway; keep the memory bounded.
    if (text.length <= 4000 && remembered < 8_000_000) {
      counted.set(text, count);
      remembered += text.length;
    }
    return count;
  };
}

export type SplitOptions = { chunkSize: number; chunkOverlap: number };

/**
 * Splits each section into chunks of about `chunkSize` tokens (cl100k, the tokenizer of
 * OpenAI's embedding models), neighbours sharing up to `chunkOverlap` tokens, breaking at
 * paragraphs, then lines, then words. A chunk never spans two sections, so its page or
 * heading is exact. (The splitter adds up its pieces' token counts, so a chunk can come out
 * a token or two over: a word joined to its neighbour may encode differently.)
 */
export async function splitSections(sections: Section[], options: SplitOptions): Promise<Chunk[]> {
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize: options.chunkSize,
    chunkOverlap: options.chunkOverlap,
    lengthFunction: rememberingCounter(),
  });
  const chunks: Chunk[] = [];
  for (const section of sections) {
    for (const text of await splitter.splitText(section.text)) {
      const trimmed = text.trim();
      if (!trimmed) continue;
      chunks.push({
        text: trimmed,
        ...(section.page !== undefined ? { page: section.page } : {}),
        ...(section.heading !== undefined ? { heading: section.heading } : {}),
      });
    }
  }
  return chunks;
}
