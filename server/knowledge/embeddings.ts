/**
 * A client for any OpenAI-compatible POST {baseUrl}/embeddings (OpenAI, Ollama, a model
 * deployed through Skyloom, or the local development model). Plain fetch rather than the
 * openai SDK: one request shape, and the caller chooses the fetch (the SSRF guard's for a
 * URL a person typed).
 */
export type EmbeddingsClient = {
  /** The model's name, as the knowledge base records it. */
  readonly model: string;
  /** One vector per text, in order; every vector has the same length. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
};

export type EmbeddingsEndpoint = {
  baseUrl: string;
  apiKey: string;
  model: string;
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  /** Texts per request (OpenAI takes up to 2048; smaller batches report progress sooner). */
  batchSize?: number;
};

/** The embeddings server failed or answered something that is not embeddings; the message says which. */
export class EmbeddingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmbeddingsError";
  }
}

type EmbeddingsAnswer = { data?: { index?: number; embedding?: unknown }[]; error?: { message?: string } };

function vectorOf(value: unknown): Float32Array | null {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "number" && Number.isFinite(v))) return null;
  return Float32Array.from(value as number[]);
}

export function createEmbeddingsClient(endpoint: EmbeddingsEndpoint): EmbeddingsClient {
  const url = `${endpoint.baseUrl.replace(/\/+$/, "")}/embeddings`;
  const batchSize = endpoint.batchSize ?? 64;
  const where = `The embeddings server at ${endpoint.baseUrl}`;

  async function embedBatch(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    let response: Response;
    try {
      response = await endpoint.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${endpoint.apiKey}` },
        body: JSON.stringify({ model: endpoint.model, input: texts, encoding_format: "float" }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw new EmbeddingsError(`${where} could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    }
    let answer: EmbeddingsAnswer;
    try {
      answer = (await response.json()) as EmbeddingsAnswer;
    } catch {
      throw new EmbeddingsError(`${where} answered ${response.status} with something that is not JSON; is it an OpenAI-compatible /v1 URL?`);
    }
    if (!response.ok) {
      throw new EmbeddingsError(`${where} answered ${response.status}: ${answer.error?.message ?? "no message"}`);
    }
    const data = Array.isArray(answer.data) ? answer.data : [];
    if (data.length !== texts.length) throw new EmbeddingsError(`${where} answered ${data.length} embeddings for ${texts.length} texts.`);
    const ordered = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return ordered.map((item) => {
      const vector = vectorOf(item.embedding);
      if (!vector) throw new EmbeddingsError(`${where} answered an embedding that is not a list of numbers.`);
      return vector;
    });
  }

  return {
    model: endpoint.model,
    async embed(texts, signal) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        vectors.push(...(await embedBatch(texts.slice(start, start + batchSize), signal)));
      }
      const dimensions = vectors[0]?.length;
      if (vectors.some((v) => v.length !== dimensions)) throw new EmbeddingsError(`${where} answered vectors of different lengths.`);
      return vectors;
    },
  };
}

/** Embeds `texts` batch by batch, telling `onProgress` the share done (0..1) after each batch. */
export async function embedWithProgress(
  client: EmbeddingsClient,
  texts: readonly string[],
  onProgress: (done: number) => void,
  signal?: AbortSignal,
  batchSize = 64,
): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    vectors.push(...(await client.embed(texts.slice(start, start + batchSize), signal)));
    onProgress(Math.min(1, (start + batchSize) / texts.length));
  }
  return vectors;
}
