import { Agent, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { IncomingMessage as Request, ServerResponse as Response } from "node:http";
import { MarketplaceError, type Marketplace, type ServingEndpoint } from "../marketplace/marketplace";
import { usageOfAnswer } from "../marketplace/openai-usage";
import { sendWithFailover } from "../marketplace/serving";
import type { AuthenticatedKey } from "../services/api-keys";
import type { RequestRecord } from "../services/endpoint-metrics";
import { GatewayError } from "./errors";

/**
 * `/v1` requests whose `model` is one of the team's model endpoints (issue 12, ADR 029): sent to
 * the server of the endpoint's current lease, the answer passed back byte for byte (streams
 * too). While the endpoint is ordered, started, woken or failing over, the request waits
 * (bounded); a lease whose server refuses the connection is reported, and the request is sent
 * again to the next lease. Each request is recorded for the endpoint's metrics and metering.
 */
export type GatewayEndpoint = { id: string; teamId: string; slug: string; marketDeploymentId: string | null; createdAt: Date };

export type GatewayEndpoints = {
  findBySlug(teamId: string, slug: string): GatewayEndpoint | null;
  list(scope: { teamId: string }): Promise<{ slug: string; createdAt: number }[]>;
  serving(teamId: string, endpointId: string, options: { timeoutMs?: number; signal?: AbortSignal }): Promise<ServingEndpoint>;
  recordRequest(record: RequestRecord): void;
};

export type EndpointProxyDeps = {
  endpoints: GatewayEndpoints;
  marketplace: Pick<Marketplace, "reportUnreachable">;
  /** How long a request waits for the endpoint to serve (ordering, waking, failover). */
  waitMs?: number;
};

const DEFAULT_WAIT_MS = 30_000;
/** Usage is read from answers up to this size; larger ones are passed on but counted as zero tokens. */
const MAX_METERED_BYTES = 4 * 1024 * 1024;
/** One pool of kept-alive connections to lease servers: a new TCP connection per request costs more than the proxying. */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 });

/** The endpoint `model` names, if the key may call it; null when it is not an endpoint (an agent, then). */
export function endpointForKey(endpoints: GatewayEndpoints, key: AuthenticatedKey, model: string): GatewayEndpoint | null {
  const endpoint = endpoints.findBySlug(key.teamId, model);
  if (!endpoint) return null;
  // A public (browser) key or one restricted to certain agents never spends GPU time on a raw model.
  if (key.kind === "public" || key.allowedAgents) {
    throw new GatewayError(403, `This API key may not call the model endpoint '${model}'; use a server key of the team without an agent restriction.`, "permission_error", "model_not_allowed", "model");
  }
  return endpoint;
}

type Upstream = { response: IncomingMessage; firstByteMs: number };

export async function proxyToEndpoint(
  deps: EndpointProxyDeps,
  req: Request,
  res: Response,
  key: AuthenticatedKey,
  endpoint: GatewayEndpoint,
  path: "/chat/completions" | "/embeddings",
  body: Record<string, unknown>,
): Promise<void> {
  const startedAt = Date.now();
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  let status = 0;
  const usage = { promptTokens: 0, completionTokens: 0 };
  let latencyMs = 0;
  try {
    const source = {
      endpoint: (o: { timeoutMs: number; signal?: AbortSignal }) => deps.endpoints.serving(key.teamId, endpoint.id, o),
      reportUnreachable: async (serving: ServingEndpoint, error: string) =>
        endpoint.marketDeploymentId ? deps.marketplace.reportUnreachable({ teamId: key.teamId, deploymentId: endpoint.marketDeploymentId }, { leaseId: serving.leaseId, error }) : { reordered: false },
    };
    const { result } = await sendWithFailover(source, { timeoutMs: deps.waitMs ?? DEFAULT_WAIT_MS, signal: abort.signal }, (serving) =>
      send(serving, path, JSON.stringify({ ...body, model: serving.model }), abort.signal, startedAt),
    );
    const { response } = result;
    status = response.statusCode ?? 502;
    latencyMs = result.firstByteMs;
    res.writeHead(status, passedHeaders(response));
    const metered: Buffer[] = [];
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      if (size + chunk.length <= MAX_METERED_BYTES) metered.push(chunk);
      size += chunk.length;
    });
    await new Promise<void>((resolve, reject) => {
      response.pipe(res);
      response.once("end", resolve);
      response.once("error", reject);
      res.once("close", resolve);
    });
    if (size <= MAX_METERED_BYTES) Object.assign(usage, usageOfAnswer(Buffer.concat(metered).toString("utf8"), String(response.headers["content-type"] ?? "").includes("text/event-stream")));
  } catch (error) {
    status = status || statusOf(error);
    if (res.headersSent) {
      // The lease's server died mid-answer: what was sent stays sent; the stream ends with an error event.
      if (!res.writableEnded) res.end(`data: ${JSON.stringify(upstreamLost().body())}\n\n`);
      return;
    }
    throw toGatewayError(error, endpoint.slug);
  } finally {
    deps.endpoints.recordRequest({ teamId: key.teamId, endpointId: endpoint.id, apiKeyId: key.id, ...usage, latencyMs: latencyMs || Date.now() - startedAt, status: status || 499, at: startedAt });
  }
}

function send(serving: ServingEndpoint, path: string, payload: string, signal: AbortSignal, startedAt: number): Promise<Upstream> {
  const url = new URL(`${serving.baseUrl.replace(/\/$/, "")}${path}`);
  const call = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const upstream = call(
      url,
      {
        method: "POST",
        agent: url.protocol === "https:" ? undefined : keepAlive,
        signal,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...(serving.apiKey ? { authorization: `Bearer ${serving.apiKey}` } : {}) },
      },
      (response) => resolve({ response, firstByteMs: Date.now() - startedAt }),
    );
    upstream.once("error", reject);
    upstream.end(payload);
  });
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade"]);

function passedHeaders(response: IncomingMessage): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  return headers;
}

function statusOf(error: unknown): number {
  if (error instanceof MarketplaceError) return 503;
  if (error instanceof GatewayError) return error.status;
  return 502;
}

function upstreamLost(): GatewayError {
  return new GatewayError(502, "The endpoint's server stopped in the middle of the answer (its node failed); send the request again: it goes to the endpoint's next lease.", "server_error", "endpoint_interrupted");
}

function toGatewayError(error: unknown, slug: string): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof MarketplaceError) {
    if (error.code === "TIMEOUT") return new GatewayError(503, `The endpoint '${slug}' is not serving yet (it is starting or failing over); try again in a few seconds.`, "server_error", "endpoint_not_ready", null, { "retry-after": "5" });
    if (error.code === "NOT_FOUND") return new GatewayError(404, `The model '${slug}' does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found", "model");
    return new GatewayError(503, `The endpoint '${slug}' is not running: ${error.message}`, "server_error", "endpoint_unavailable");
  }
  if (error instanceof Error && error.name === "AbortError") return new GatewayError(499, "The client closed the request.", "invalid_request_error", "client_closed");
  return new GatewayError(502, `The endpoint '${slug}' could not be reached; try again shortly.`, "server_error", "endpoint_unreachable");
}
