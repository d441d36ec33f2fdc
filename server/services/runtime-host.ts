import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type * as LangChainOpenAi from "@langchain/openai";
import type { ChatModelSpec, EndpointResolver, LlmClientFactory } from "#agents/runtime/context";
import { createKeepAliveFetch } from "#agents/runtime/keep-alive-fetch.server";
import type { ServerConfig } from "../env";
import { SandboxPool } from "../sandbox/pool";
import { startDevModelServer, type DevModelServer } from "../dev-model/server";
import { createSsrfGuard, parseSsrfPolicy, type SsrfGuard } from "./ssrf";

/**
 * The long-lived parts of the agent runtime, one set per running Skyloom: the embedded local
 * development model, the SSRF guard, the chat model client cache and the code tools' sandbox
 * pool (worker threads). Started and stopped by the composition root (server/composition.ts).
 */
export type RuntimeHost = {
  /** The default model for an empty base URL: OPENAI_BASE_URL/OPENAI_API_KEY, or the dev model. */
  defaultModel(): { baseUrl: string; apiKey: string; source: "env" | "dev-model" };
  devModel: DevModelServer | null;
  guard: SsrfGuard;
  llm: LlmClientFactory;
  /** Runs code tools off the event loop; a run reaches it with its team bound (see runs.ts). */
  sandbox: SandboxPool;
  /** Turns a model.endpoint node into its deployed endpoint (an adapter; see composition.ts). */
  endpoints: EndpointResolver;
  stop(): Promise<void>;
};

export type RuntimeHostOptions = {
  /** Use this base URL as the default model instead of starting the dev model (tests, bench). */
  defaultModelBaseUrl?: string;
  /** Where model.endpoint nodes are served; without one, such a node says "Deploy this endpoint first". */
  endpoints?: EndpointResolver;
};

const noEndpoints: EndpointResolver = {
  // The run's error names the block ("Model Endpoint "My Llama": …"); the message says what to do.
  async resolve() {
    throw new Error("Deploy this endpoint first: it is not running yet (open Deploy and start it).");
  },
};

const MAX_CACHED_CLIENTS = 200;

// The OpenAI client library (with LangChain under it) is imported by the first model call,
// not at start: importing it costs the start half a second or more (bench/weight.bench.ts).
let openAiLibrary: Promise<typeof LangChainOpenAi> | null = null;
function loadOpenAiLibrary() {
  openAiLibrary ??= import("@langchain/openai").catch((error: unknown) => {
    openAiLibrary = null;
    throw error;
  });
  return openAiLibrary;
}

/** Starts the runtime's parts (the dev model when no other default model is set). */
export async function startRuntimeHost(config: ServerConfig, options: RuntimeHostOptions = {}): Promise<RuntimeHost> {
  const envModel = config.openaiApiKey !== undefined || config.openaiBaseUrl !== undefined;
  const devModel = envModel || options.defaultModelBaseUrl ? null : await startDevModelServer({ chunkDelayMs: config.devModelChunkDelayMs });
  const guard = createSsrfGuard({ policy: parseSsrfPolicy(config.allowPrivateUrls) });
  const defaultModel = () =>
    options.defaultModelBaseUrl
      ? { baseUrl: options.defaultModelBaseUrl, apiKey: "skyloom-dev", source: "dev-model" as const }
      : envModel
        ? { baseUrl: config.openaiBaseUrl ?? "https://api.openai.com/v1", apiKey: config.openaiApiKey ?? "none", source: "env" as const }
        : { baseUrl: (devModel as DevModelServer).baseUrl, apiKey: "skyloom-dev", source: "dev-model" as const };

  // Clients are reused: building one costs CPU, and reuse keeps HTTP connections warm.
  const clients = new Map<string, BaseChatModel>();
  const keepAliveFetch = createKeepAliveFetch();
  const llm: LlmClientFactory = {
    async chatModel(spec: ChatModelSpec) {
      const fallback = spec.baseUrl ? undefined : defaultModel();
      const baseURL = spec.baseUrl || (fallback as { baseUrl: string }).baseUrl;
      const apiKey = spec.apiKey ?? fallback?.apiKey ?? "none";
      // Only URLs a person typed go through the guard; the default and deployed endpoints are ours.
      const guarded = Boolean(spec.baseUrl) && !spec.trusted;
      const key = JSON.stringify([baseURL, apiKey, spec.model, spec.temperature, spec.maxTokens, guarded]);
      const cached = clients.get(key);
      if (cached) return cached;
      const { ChatOpenAICompletions } = await loadOpenAiLibrary();
      // Another call may have made this client while the library loaded.
      const made = clients.get(key);
      if (made) return made;
      const client = new ChatOpenAICompletions({
        model: spec.model,
        apiKey,
        ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}),
        ...(spec.maxTokens !== undefined ? { maxTokens: spec.maxTokens } : {}),
        maxRetries: 1,
        streamUsage: true,
        configuration: { baseURL, fetch: guarded ? (guard.fetch as typeof fetch) : keepAliveFetch },
      });
      if (clients.size >= MAX_CACHED_CLIENTS) clients.delete(clients.keys().next().value as string);
      clients.set(key, client);
      return client;
    },
  };
  const sandbox = new SandboxPool();
  sandbox.start();
  const host: RuntimeHost = {
    defaultModel,
    devModel,
    guard,
    llm,
    sandbox,
    endpoints: options.endpoints ?? noEndpoints,
    stop: async () => {
      await Promise.all([devModel?.close(), sandbox.stop()]);
    },
  };
  return host;
}
