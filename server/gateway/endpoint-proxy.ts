import { Agent, type ClientRequest, type IncomingMessage } from "node:http";
import type { IncomingMessage as Request, ServerResponse as Response } from "node:http";
import { MarketplaceError, type Marketplace, type ServingEndpoint } from "../marketplace/marketplace";
import { usageOfAnswer } from "../marketplace/openai-usage";
import { sendWithFailover } from "../marketplace/serving";
import type { AuthenticatedKey } from "../services/api-keys";
import type { RequestRecord } from "../services/endpoint-metrics";
import { JsonPostTarget } from "../http/json-post";
import { relay } from "../http/relay";
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

/**
 * The gateway's proxy to model endpoints, one per gateway: it owns the kept-alive connections
 * to lease servers (a new TCP connection per request cost more than the proxying) and the
 * parsed lease server URLs.
 */
export class EndpointProxy {
  private readonly keepAlive = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 });
  private readonly targets = new Map<string, JsonPostTarget>();

  constructor(private readonly deps: EndpointProxyDeps) {}

  async proxy(req: Request, res: Response, key: AuthenticatedKey, endpoint: GatewayEndpoint, path: "/chat/completions" | "/embeddings", body: Record<string, unknown>): Promise<void> {
    const { deps } = this;
    const startedAt = Date.now();
    const abort = new AbortController();
    // The request in flight to the lease server, ended with the client's (no signal per request: its listeners cost).
    let upstream: ClientRequest | null = null;
    res.once("close", () => {
      if (res.writableFinished) return;
      abort.abort();
      upstream?.destroy(clientClosed());
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
      const { result } = await sendWithFailover(source, { timeoutMs: deps.waitMs ?? DEFAULT_WAIT_MS, signal: abort.signal }, (serving) => {
        body.model = serving.model;
        const sent = this.send(serving, path, JSON.stringify(body), startedAt);
        upstream = sent.request;
        return sent.answered;
      });
      const { response } = result;
      status = response.statusCode ?? 502;
      latencyMs = result.firstByteMs;
      const { headers, stream } = passedHeaders(response.rawHeaders);
      res.writeHead(status, headers);
      const { kept, size, failed } = await relay(response, res, MAX_METERED_BYTES);
      if (failed) throw failed;
      if (size <= MAX_METERED_BYTES) Object.assign(usage, usageOfAnswer((kept.length === 1 ? kept[0]! : Buffer.concat(kept)).toString("utf8"), stream));
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

  private send(serving: ServingEndpoint, path: string, payload: string, startedAt: number): { request: ClientRequest; answered: Promise<Upstream> } {
    const { request, answered } = this.target(serving.baseUrl).post(path, payload, serving.apiKey);
    return { request, answered: answered.then((response) => ({ response, firstByteMs: Date.now() - startedAt })) };
  }

  /** The lease server at `baseUrl`, its URL parsed once (not per request). */
  private target(baseUrl: string): JsonPostTarget {
    let target = this.targets.get(baseUrl);
    if (!target) {
      target = new JsonPostTarget(baseUrl, { http: this.keepAlive });
      if (this.targets.size >= MAX_TARGETS) this.targets.clear();
      this.targets.set(baseUrl, target);
    }
    return target;
  }
}

/** Lease server URLs remembered; past this many (endpoints moving a lot), the map starts over. */
const MAX_TARGETS = 1000;

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade"]);

/**
 * The answer's headers to pass on (hop-by-hop ones left out; a repeated one joined as
 * node:http joins it, set-cookie kept apart), and whether it is an event stream. Read from
 * the raw list: `response.headers` would build another object per request.
 */
function passedHeaders(raw: string[]): { headers: Record<string, string | string[]>; stream: boolean } {
  const headers: Record<string, string | string[]> = {};
  let stream = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (HOP_BY_HOP.has(name)) continue;
    if (name === "content-type" && value.includes("text/event-stream")) stream = true;
    const seen = headers[name];
    if (seen === undefined) headers[name] = name === "set-cookie" ? [value] : value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[name] = `${seen}, ${value}`;
  }
  return { headers, stream };
}

function clientClosed(): Error {
  const error = new Error("The client closed the request.");
  error.name = "AbortError";
  return error;
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
