import type { Db } from "#db/client";
import { DEV_EMBEDDING_MODEL_ID } from "../dev-model/embeddings";
import { resolveCredential } from "../services/credentials";
import { DomainError } from "../services/errors";
import type { RuntimeHost } from "../services/runtime-host";
import type { KnowledgeBaseRow } from "./bases";
import { DocumentParser } from "./document-parser";
import { createEmbeddingsClient, EmbeddingsError, type EmbeddingsClient } from "./embeddings";
import type { KnowledgeLimits } from "./limits";
import { KnowledgeService } from "./service";

/** What the knowledge service needs from the running Skyloom (see server/composition.ts). */
export type KnowledgeHostDeps = { db: Db; secretKey: Buffer; runtime: RuntimeHost };

/** OpenAI's small embeddings model: the default when the default chat model is OpenAI (or any OPENAI_BASE_URL). */
export const DEFAULT_OPENAI_EMBEDDING_MODEL = "text-embedding-3-small";

/**
 * The embeddings client of a base: its credential (key and base URL), else its base URL,
 * else Skyloom's default model server (OPENAI_BASE_URL, or the local development model).
 * URLs a person typed go through the SSRF guard; the default servers are ours.
 */
export function embeddingsResolver(deps: KnowledgeHostDeps) {
  return async (base: KnowledgeBaseRow): Promise<EmbeddingsClient> => {
    const host = deps.runtime;
    let credential: { secret: string; baseUrl?: string } | null = null;
    if (base.embeddingCredentialId) {
      try {
        credential = resolveCredential(deps.db, deps.secretKey, base.teamId, base.embeddingCredentialId);
      } catch (error) {
        if (error instanceof DomainError) throw new EmbeddingsError("The embeddings credential of this knowledge base is gone; choose another in its settings.");
        throw error;
      }
    }
    const typedUrl = base.embeddingBaseUrl || credential?.baseUrl || (credential ? "https://api.openai.com/v1" : "");
    if (typedUrl) {
      return createEmbeddingsClient({
        baseUrl: typedUrl,
        apiKey: credential?.secret ?? "none",
        model: base.embeddingModel || DEFAULT_OPENAI_EMBEDDING_MODEL,
        fetch: host.guard.fetch as (input: string, init?: RequestInit) => Promise<Response>,
      });
    }
    const fallback = host.defaultModel();
    return createEmbeddingsClient({
      baseUrl: fallback.baseUrl,
      apiKey: fallback.apiKey,
      model: base.embeddingModel || (fallback.source === "dev-model" ? DEV_EMBEDDING_MODEL_ID : DEFAULT_OPENAI_EMBEDDING_MODEL),
      fetch,
    });
  };
}

/** Builds the service from the running Skyloom's parts (a composition root can call this directly). */
export type KnowledgeServiceOptions = { limits?: Partial<KnowledgeLimits>; parser?: DocumentParser };

export function createKnowledgeService(deps: KnowledgeHostDeps, options: KnowledgeServiceOptions = {}): KnowledgeService {
  return new KnowledgeService({
    db: deps.db,
    // The raw connection under drizzle: FTS5 and sqlite-vec queries are written in SQL.
    sqlite: deps.db.$client,
    parser: options.parser ?? new DocumentParser(),
    embeddingsFor: embeddingsResolver(deps),
    fetchUrl: (url, init) => deps.runtime.guard.fetch(url, init),
    ...(options.limits ? { limits: options.limits } : {}),
  });
}
