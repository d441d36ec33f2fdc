/**
 * The local development model's embeddings: a hashed bag of words, not a language model. Each
 * word (lower-cased, letters and digits) adds ±1 at a position picked by its hash; the vector
 * is then scaled to length 1. Texts that share words get close vectors, and synonyms do not:
 * it exercises the whole vector path (store, search, fusion) with no model and no network,
 * and its model name and `semantic: false` say plainly what it is.
 */
export const DEV_EMBEDDING_MODEL_ID = "skyloom-dev-embeddings-not-semantic";
export const DEV_EMBEDDING_DIMENSIONS = 384;
export const DEV_EMBEDDING_NOTICE =
  "Skyloom local development embeddings: hashed bag of words, not semantic. Set an embeddings model (OpenAI, Ollama, …) for real similarity.";

/** FNV-1a, 32 bits: cheap, stable across runs and platforms. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function devWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function devEmbedding(text: string, dimensions = DEV_EMBEDDING_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  for (const word of devWords(text)) {
    const hash = fnv1a(word);
    const index = hash % dimensions;
    vector[index] = (vector[index] as number) + (hash & 0x80000000 ? -1 : 1);
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) * scale;
  }
  return vector;
}

export type DevEmbeddingsRequest = { input?: unknown; model?: string; encoding_format?: string; dimensions?: number };

const MAX_INPUTS = 2048;

/** The /v1/embeddings answer in OpenAI's shape (floats, or base64 of little-endian float32 as the openai SDK asks). */
export function devEmbeddingsResponse(request: DevEmbeddingsRequest): { status: number; body: unknown } {
  const inputs = typeof request.input === "string" ? [request.input] : request.input;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > MAX_INPUTS || !inputs.every((i) => typeof i === "string")) {
    return { status: 400, body: { error: { message: `input must be a string or an array of 1 to ${MAX_INPUTS} strings.`, type: "invalid_request_error", param: "input", code: null } } };
  }
  const base64 = request.encoding_format === "base64";
  let tokens = 0;
  const data = (inputs as string[]).map((text, index) => {
    tokens += devWords(text).length;
    const vector = devEmbedding(text);
    const embedding = base64 ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64") : Array.from(vector);
    return { object: "embedding", index, embedding };
  });
  return {
    status: 200,
    body: {
      object: "list",
      data,
      model: DEV_EMBEDDING_MODEL_ID,
      semantic: false,
      notice: DEV_EMBEDDING_NOTICE,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}
