import { createHash } from "node:crypto";
import { approxTokens } from "./replies";

/**
 * Embeddings from the local development model: NOT a language model's vectors. Each input's
 * vector is derived from hashes of its words, so equal texts get equal vectors and texts that
 * share words point the same way; that is enough to exercise an embeddings path end to end.
 */
export const DEV_EMBEDDING_DIMENSIONS = 64;

export function devEmbedding(text: string): number[] {
  const vector = new Array<number>(DEV_EMBEDDING_DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text]) {
    const digest = createHash("sha256").update(word).digest();
    for (let i = 0; i < DEV_EMBEDDING_DIMENSIONS; i++) vector[i] = (vector[i] ?? 0) + ((digest[i % digest.length] ?? 0) - 127.5) / 127.5;
  }
  const norm = Math.sqrt(vector.reduce((n, v) => n + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}

/** The OpenAI /v1/embeddings answer for a request body, or an error message for a bad one. */
export function devEmbeddingsResponse(body: { input?: unknown; model?: string }): { ok: true; body: unknown } | { ok: false; message: string } {
  const inputs = typeof body.input === "string" ? [body.input] : Array.isArray(body.input) && body.input.every((i) => typeof i === "string") ? (body.input as string[]) : null;
  if (!inputs || inputs.length === 0 || inputs.length > 2048) return { ok: false, message: "input must be a string or a list of 1 to 2048 strings." };
  const tokens = inputs.reduce((n, i) => n + approxTokens(i), 0);
  return {
    ok: true,
    body: {
      object: "list",
      data: inputs.map((text, index) => ({ object: "embedding", index, embedding: devEmbedding(text) })),
      model: body.model || "skyloom-dev",
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}
