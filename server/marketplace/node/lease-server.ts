import { createHash, timingSafeEqual } from "node:crypto";
import { Agent as HttpAgent, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { AddressInfo } from "node:net";
import { JsonPostTarget } from "../../http/json-post";
import { readBodyWithin } from "../../http/read-body";
import { relay } from "../../http/relay";
import type { LeaseMetrics } from "../marketplace";
import { usageOfAnswer } from "../openai-usage";

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
/**
 * Log lines kept between two reports. A report carries at most 500 (protocol.ts), and a busy
 * lease logs a line per request: past this many, lines are counted and one line says how many
 * were left out (with more, the heartbeat was refused and the node declared down).
 */
export const MAX_LOG_LINES_PER_REPORT = 200;
const LATENCY_WINDOW = 1000;
/** Usage is read from answers up to this size; larger ones are passed on but counted as zero tokens. */
const MAX_METERED_BYTES = 4 * 1024 * 1024;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}


function sendError(res: ServerResponse, status: number, message: string, type = "invalid_request_error"): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
}

/** Checks a presented key against the lease's, in constant time whatever its length (both hashed). */
function keyChecker(accessToken: string): (given: string) => boolean {
  const expected = createHash("sha256").update(accessToken, "utf8").digest();
  return (given) => timingSafeEqual(createHash("sha256").update(given, "utf8").digest(), expected);
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
  const keyMatches = keyChecker(options.accessToken);
  // The lease's own kept-alive connections to its backend, closed with the lease.
  const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 256 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }) };
  const backend = new JsonPostTarget(options.backend.baseUrl, agents);
  const latencies: number[] = [];
  const counters = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0 };
  let logs: { at: number; line: string }[] = [];
  let notKept = 0;
  /** Whether a line would be kept: a busy lease's lines past the limit are only counted (and not formatted). */
  const logsRoom = () => logs.length < MAX_LOG_LINES_PER_REPORT - 1;
  const log = (line: string) => {
    if (logsRoom()) logs.push({ at: Date.now(), line });
    else notKept += 1;
  };
  log(`lease ${options.leaseId}: serving ${options.models.join(", ")} from ${options.backend.label}`);

  async function forward(req: IncomingMessage, res: ServerResponse, path: "chat/completions" | "embeddings"): Promise<void> {
    const started = performance.now();
    let raw: Buffer;
    let body: Record<string, unknown>;
    try {
      raw = await readBodyWithin(req, MAX_BODY_BYTES);
      body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    } catch {
      return sendError(res, 400, "The body is not valid JSON (or is over 8 MB).");
    }
    const asked = typeof body.model === "string" ? body.model : "";
    if (!options.models.includes(asked)) return sendError(res, 404, `This endpoint serves ${options.models.join(", ")}, not "${asked}".`, "not_found_error");
    counters.requests += 1;
    // The body goes on as it came unless the backend names the model otherwise (no re-serialising per request).
    const renamed = options.backend.model !== undefined && options.backend.model !== asked;
    const sent = backend.post(`/${path}`, renamed ? JSON.stringify({ ...body, model: options.backend.model }) : raw, options.backend.apiKey);
    res.on("close", () => {
      if (!res.writableEnded) sent.request.destroy();
    });
    let upstream: IncomingMessage;
    try {
      upstream = await sent.answered;
    } catch (error) {
      counters.errors += 1;
      log(`POST /v1/${path} ${asked}: backend unreachable (${(error as Error).message})`);
      return sendError(res, 502, `The node's model backend (${options.backend.label}) is unreachable.`, "server_error");
    }
    const firstByteMs = performance.now() - started;
    latencies.push(firstByteMs);
    if (latencies.length > LATENCY_WINDOW) latencies.shift();
    const status = upstream.statusCode ?? 502;
    if (status < 200 || status >= 300) counters.errors += 1;
    // The bytes go on unchanged, so their length and encoding do too: with a length, an answer
    // is one write with no chunked framing (a write less per request at both hops).
    const { "content-length": length, "content-encoding": encoding } = upstream.headers;
    res.writeHead(status, { "content-type": upstream.headers["content-type"] ?? "application/json", "cache-control": "no-cache", ...(length ? { "content-length": length } : {}), ...(encoding ? { "content-encoding": encoding } : {}) });
    // Passed on chunk by chunk as it arrives (streams stay streams); a copy is kept for the usage.
    const { kept, size, failed } = await relay(upstream, res, MAX_METERED_BYTES);
    // The backend failed mid-answer: what was sent stays sent, and the answer ends here.
    if (failed) res.end();
    const text = size <= MAX_METERED_BYTES ? (kept.length === 1 ? kept[0]! : Buffer.concat(kept)).toString("utf8") : "";
    const tokens = usageOfAnswer(text, body.stream === true);
    counters.promptTokens += tokens.promptTokens;
    counters.completionTokens += tokens.completionTokens;
    if (logsRoom()) log(`POST /v1/${path} model=${asked}${body.stream === true ? " stream" : ""} → ${status} in ${Math.round(performance.now() - started)} ms, ${tokens.promptTokens}+${tokens.completionTokens} tokens`);
    else notKept += 1;
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]?.replace(/\/+$/, "") ?? "";
    const key = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if (!keyMatches(key)) return sendError(res, 401, "Missing or wrong API key for this endpoint.", "authentication_error");
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
      if (notKept > 0) out.push({ at: Date.now(), line: `… and ${notKept} more lines (over ${MAX_LOG_LINES_PER_REPORT} between two reports; the metrics count every request)` });
      logs = [];
      notKept = 0;
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agents.http.destroy();
        agents.https.destroy();
      }),
  };
}
