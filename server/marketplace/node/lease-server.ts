import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBodyWithin } from "../../http/read-body";
import { sameSecret, sha256Hex } from "../local/ids";
import type { LeaseMetrics } from "../marketplace";

/**
 * What a node runs for a model-serving lease: an OpenAI-compatible HTTP server (GET /v1/models,
 * POST /v1/chat/completions streamed or not, POST /v1/embeddings) in front of the node's
 * backend — the local development model, or the operator's own OpenAI-compatible server
 * (`--serve-openai`). It checks the lease's key, names the lease's model, and keeps the lease's
 * metrics and log lines for the matchmaker.
 */
export type Backend = {
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 */
  baseUrl: string;
  apiKey?: string;
  /** The upstream's own model name, when it differs from what clients ask for. */
  model?: string;
  label: string;
};

export type LeaseServer = {
  uri: string;
  metrics(): LeaseMetrics;
  /** Log lines since the last call. */
  drainLogs(): { at: number; line: string }[];
  close(): Promise<void>;
};

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_LOG_BUFFER = 1000;
const LATENCY_WINDOW = 1000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}


function sendError(res: ServerResponse, status: number, message: string, type = "invalid_request_error"): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
}

/** Usage from a streamed answer: the last `usage` seen, else one token per content chunk. */
function countStreamTokens(text: string): { prompt: number; completion: number } {
  let chunks = 0;
  type Usage = { prompt_tokens?: number; completion_tokens?: number };
  let usage = null as Usage | null;
  for (const line of text.split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    try {
      const event = JSON.parse(line.slice(6)) as { usage?: Usage; choices?: { delta?: { content?: string } }[] };
      if (event.usage) usage = event.usage;
      if (event.choices?.[0]?.delta?.content) chunks += 1;
    } catch {
      // a partial line from the upstream: counted by what arrived whole
    }
  }
  return { prompt: usage?.prompt_tokens ?? 0, completion: usage?.completion_tokens ?? chunks };
}

export async function startLeaseServer(options: {
  leaseId: string;
  accessToken: string;
  /** Model names clients may ask for (the manifest's served names). */
  models: string[];
  backend: Backend;
  host?: string;
  advertiseHost?: string;
}): Promise<LeaseServer> {
  const tokenHash = sha256Hex(options.accessToken);
  const latencies: number[] = [];
  const counters = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0 };
  let logs: { at: number; line: string }[] = [];
  const log = (line: string) => {
    logs.push({ at: Date.now(), line });
    if (logs.length > MAX_LOG_BUFFER) logs = logs.slice(-MAX_LOG_BUFFER);
  };
  log(`lease ${options.leaseId}: serving ${options.models.join(", ")} from ${options.backend.label}`);

  async function forward(req: IncomingMessage, res: ServerResponse, path: "chat/completions" | "embeddings"): Promise<void> {
    const started = performance.now();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBodyWithin(req, MAX_BODY_BYTES)).toString("utf8")) as Record<string, unknown>;
    } catch {
      return sendError(res, 400, "The body is not valid JSON (or is over 8 MB).");
    }
    const asked = typeof body.model === "string" ? body.model : "";
    if (!options.models.includes(asked)) return sendError(res, 404, `This endpoint serves ${options.models.join(", ")}, not "${asked}".`, "not_found_error");
    counters.requests += 1;
    const upstreamBody = { ...body, model: options.backend.model ?? asked };
    let upstream: Response;
    try {
      upstream = await fetch(`${options.backend.baseUrl.replace(/\/+$/, "")}/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(options.backend.apiKey ? { authorization: `Bearer ${options.backend.apiKey}` } : {}) },
        body: JSON.stringify(upstreamBody),
      });
    } catch (error) {
      counters.errors += 1;
      log(`POST /v1/${path} ${asked}: backend unreachable (${(error as Error).message})`);
      return sendError(res, 502, `The node's model backend (${options.backend.label}) is unreachable.`, "server_error");
    }
    const firstByteMs = performance.now() - started;
    latencies.push(firstByteMs);
    if (latencies.length > LATENCY_WINDOW) latencies.shift();
    if (!upstream.ok) counters.errors += 1;
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json", "cache-control": "no-cache" });
    const decoder = new TextDecoder();
    let text = "";
    const reader = upstream.body?.getReader();
    let aborted = false;
    res.on("close", () => {
      if (!res.writableEnded) aborted = true;
    });
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      if (aborted) {
        await reader.cancel();
        break;
      }
      res.write(value);
      text += decoder.decode(value, { stream: true });
    }
    res.end();
    let tokens = { prompt: 0, completion: 0 };
    if (body.stream === true) tokens = countStreamTokens(text);
    else {
      try {
        const usage = (JSON.parse(text) as { usage?: { prompt_tokens?: number; completion_tokens?: number } }).usage;
        tokens = { prompt: usage?.prompt_tokens ?? 0, completion: usage?.completion_tokens ?? 0 };
      } catch {
        // a non-JSON error body from the upstream
      }
    }
    counters.promptTokens += tokens.prompt;
    counters.completionTokens += tokens.completion;
    log(`POST /v1/${path} model=${asked}${body.stream === true ? " stream" : ""} → ${upstream.status} in ${Math.round(performance.now() - started)} ms, ${tokens.prompt}+${tokens.completion} tokens`);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]?.replace(/\/+$/, "") ?? "";
    const key = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if (!sameSecret(key, tokenHash)) return sendError(res, 401, "Missing or wrong API key for this endpoint.", "authentication_error");
    if (req.method === "GET" && path === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: options.models.map((id) => ({ id, object: "model", created: 0, owned_by: options.backend.label })) }));
      return;
    }
    const route = req.method === "POST" && path === "/v1/chat/completions" ? "chat/completions" : req.method === "POST" && path === "/v1/embeddings" ? "embeddings" : null;
    if (!route) return sendError(res, 404, `No route ${req.method} ${path}.`, "not_found_error");
    forward(req, res, route).catch((error: unknown) => {
      counters.errors += 1;
      log(`POST ${path}: ${(error as Error).message}`);
      sendError(res, 500, "The node failed to answer; see the lease's logs.", "server_error");
    });
  });
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://${options.advertiseHost ?? host}:${port}/v1`,
    metrics: () => {
      const sorted = [...latencies].sort((a, b) => a - b);
      return { ...counters, latencyP50Ms: Math.round(percentile(sorted, 50) * 100) / 100, latencyP99Ms: Math.round(percentile(sorted, 99) * 100) / 100 };
    },
    drainLogs: () => {
      const out = logs;
      logs = [];
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
