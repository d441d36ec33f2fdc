import { STATUS_CODES } from "node:http";
import { chatModelBaseUrl, hostOf, type DefaultModelInfo } from "#agents/catalog/providers";
import type { Db } from "#db/client";
import type { ServerConfig } from "../env";
import { resolveCredential } from "./credentials";
import { badRequest, DomainError } from "./errors";
import type { RuntimeHost } from "./runtime-host";
import { createSsrfGuard, parseSsrfPolicy, SsrfBlockedError, type GuardedFetch } from "./ssrf";

/**
 * The model picker's list: GET {baseUrl}/models at the provider a Chat Model would call, with
 * the team's credential resolved here (the key never reaches the browser). A URL a person
 * chose goes through the SSRF guard; Skyloom's default model is the operator's and does not.
 * Every failure comes back as one sentence saying what to check.
 */
export const MODEL_LIST_TIMEOUT_MS = 8_000;
export const MODEL_LIST_MAX_BYTES = 2 * 1024 * 1024;
export const MAX_LISTED_MODELS = 2_000;
const MAX_MODEL_ID_LENGTH = 200;

export type ModelListDeps = { db: Db; config: ServerConfig; secretKey: Buffer; runtime: Pick<RuntimeHost, "defaultModel"> };
export type ModelListInput = { credentialId: string | null; baseUrl: string };
export type ModelList = {
  /** The base URL asked, or "" for Skyloom's default model. */
  baseUrl: string;
  source: "block" | "credential" | "default";
  models: string[];
};

type Target = { url: string; shownAs: string; apiKey: string | undefined; guarded: boolean; source: ModelList["source"] };

/** Where the list comes from, by the same rule the Chat Model's runner follows. */
function targetFor(deps: ModelListDeps, teamId: string, input: ModelListInput, openAiBaseUrl: string | undefined): Target {
  const credential = input.credentialId ? resolveCredential(deps.db, deps.secretKey, teamId, input.credentialId) : undefined;
  const url = chatModelBaseUrl(input, credential, openAiBaseUrl);
  if (url !== "") {
    return { url, shownAs: url, apiKey: credential?.secret, guarded: true, source: input.baseUrl.trim() ? "block" : "credential" };
  }
  const fallback = deps.runtime.defaultModel();
  return { url: fallback.baseUrl, shownAs: "Skyloom's default model", apiKey: fallback.apiKey, guarded: false, source: "default" };
}

export async function listProviderModels(
  deps: ModelListDeps,
  teamId: string,
  input: ModelListInput,
  /** Tests shorten the limits and point "OpenAI" at a local server. */
  options: { timeoutMs?: number; maxBytes?: number; openAiBaseUrl?: string } = {},
): Promise<ModelList> {
  const target = targetFor(deps, teamId, input, options.openAiBaseUrl);
  const maxBytes = options.maxBytes ?? MODEL_LIST_MAX_BYTES;
  const fetchFn: GuardedFetch = target.guarded
    ? createSsrfGuard({ policy: parseSsrfPolicy(deps.config.allowPrivateUrls), maxResponseBytes: maxBytes }).fetch
    : (url, init) => fetch(url, init);
  const timeoutMs = options.timeoutMs ?? MODEL_LIST_TIMEOUT_MS;
  const failed = (why: string) => badRequest(`Could not list models at ${target.shownAs}: ${why}`);

  let body: string;
  const signal = AbortSignal.timeout(timeoutMs);
  const fetchBody = async () => {
    const response = await fetchFn(`${target.url.replace(/\/+$/, "")}/models`, {
      headers: { accept: "application/json", ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}) },
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw failed(statusSentence(response.status, response.statusText));
    }
    return readLimited(response, maxBytes, signal);
  };
  try {
    // The race also bounds what the signal cannot stop, such as the guard's DNS lookup.
    body = await Promise.race([fetchBody(), untilAborted(signal)]);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw failed(networkSentence(error, timeoutMs));
  }
  const ids = modelIds(body);
  if (ids === null) throw failed('the answer is not a model list (expected JSON like {"data": [{"id": "…"}]}). Check the base URL; it usually ends in /v1.');
  return { baseUrl: target.source === "default" ? "" : target.url, source: target.source, models: ids };
}

function statusSentence(status: number, statusText: string): string {
  const head = `${status} ${statusText || STATUS_CODES[status] || "error"}`;
  if (status === 401 || status === 403) return `${head} — check the API key`;
  if (status === 404) return `${head} — check the base URL (it usually ends in /v1)`;
  if (status === 429) return `${head} — the provider is rate limiting this key; try again shortly`;
  return `${head} from the provider`;
}

function networkSentence(error: unknown, timeoutMs: number): string {
  if (error instanceof SsrfBlockedError) return error.message;
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") return `no answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} — is the server running?`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === "ECONNREFUSED") return "nothing is listening there (connection refused) — is the server running?";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "that host name does not resolve — check the base URL";
  return cause instanceof Error ? cause.message : String(cause);
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }));
}

/** The body as text, refusing more than `maxBytes` (a list of model names is small). */
async function readLimited(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const onAbort = () => void reader.cancel(signal.reason).catch(() => undefined);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new Error(`the answer is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Ids from OpenAI's `{ data: [{ id }] }` (also a bare array, as a few servers answer), sorted. */
export function modelIds(text: string): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(list)) return null;
  const ids = new Set<string>();
  for (const entry of list) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id === "string" && id.trim() !== "" && id.length <= MAX_MODEL_ID_LENGTH) ids.add(id.trim());
    if (ids.size >= MAX_LISTED_MODELS) break;
  }
  return [...ids].sort((a, b) => a.localeCompare(b));
}

/** What answers a Chat Model with no base URL and no credential, for the "answers with" sentence. */
export function defaultModelInfo(deps: { config: ServerConfig; runtime: Pick<RuntimeHost, "defaultModel"> }): DefaultModelInfo {
  const model = deps.runtime.defaultModel();
  if (model.source === "dev-model") return { source: "dev-model" };
  return { source: "env", host: hostOf(model.baseUrl), hasKey: deps.config.openaiApiKey !== undefined };
}
