import type { IncomingMessage as Request, ServerResponse as Response } from "node:http";
import type { Services } from "../composition";
import { publicUrlFor } from "../http/public-url";
import type { AgentRunner } from "./agent-runner";
import { authenticate, KeyUsageRecorder } from "./auth";
import { agentForKey, handleChatCompletion, modelNotFound } from "./chat-completions";
import { GatewayCors } from "./cors";
import { readJsonBody } from "./body";
import { EndpointProxy, endpointForKey, type GatewayEndpoints } from "./endpoint-proxy";
import { GatewayError, internalError, sendGatewayError, sendJson } from "./errors";
import { KeyRateLimiter } from "./rate-limit";
import type { AuthenticatedKey } from "../services/api-keys";
import { DomainError } from "../services/errors";
import type { Marketplace } from "../marketplace/marketplace";
import { runtimeAgentRunner } from "./runtime-runner";

/** What the gateway uses of a running Skyloom (server/composition.ts). */
export type GatewayServices = Pick<Services, "db" | "config" | "apiKeys" | "servedAgents" | "runs" | "runStore" | "billing"> & {
  /** The team's model endpoints (issue 12); without them `model` names agents only. */
  endpoints?: GatewayEndpoints;
  marketplace?: Pick<Marketplace, "reportUnreachable">;
};

export type GatewayOptions = {
  /** Runs a published agent; by default the runs service (tests pass runners that fail). */
  runAgent?: AgentRunner;
  /** How long a request to a model endpoint waits for it to serve (ordering, waking, failover). */
  endpointWaitMs?: number;
  now?: () => number;
};

type Handler = (req: Request, res: Response, key: AuthenticatedKey) => Promise<void> | void;

/** Answers a request under /v1 (see isGatewayRequest). */
export type GatewayHandler = (req: Request, res: Response) => void;

/**
 * The OpenAI-compatible API under /v1: every request is authenticated by a team API key,
 * limited per key, and answered in OpenAI's shapes (errors included), so any OpenAI client or
 * SDK talks to a published agent by changing its base URL.
 */
export function createGateway(services: GatewayServices, options: GatewayOptions = {}): GatewayHandler {
  const now = options.now ?? Date.now;
  // Where people reach Skyloom (error messages point at its API keys page); see publicUrlFor.
  const site = { publicUrl: services.config.publicUrl, publicUrlConfigured: services.config.publicUrlConfigured };
  const limiter = new KeyRateLimiter(now);
  const keyUsage = new KeyUsageRecorder(services.db);
  const cors = new GatewayCors(services.db, services.apiKeys);
  const chatDeps = { servedAgents: services.servedAgents, runStore: services.runStore, billing: services.billing, runAgent: options.runAgent ?? runtimeAgentRunner(services) };

  const keyed = (handler: Handler) => async (req: Request, res: Response) => {
    try {
      cors.allowKnownOrigin(req, res);
      const key = authenticate(services.apiKeys, req, () => `${publicUrlFor(req, site)}/settings/api-keys`);
      cors.checkKey(req, res, key);
      if (key.requestsPerMinute !== null) {
        const decision = limiter.take(key.id, key.requestsPerMinute);
        res.setHeader("x-ratelimit-limit-requests", String(key.requestsPerMinute));
        if (!decision.allowed) {
          res.setHeader("x-ratelimit-remaining-requests", "0");
          throw new GatewayError(
            429,
            `Rate limit reached for this API key: ${key.requestsPerMinute} requests per minute. Try again in ${decision.retryAfterSeconds} s.`,
            "rate_limit_error",
            "rate_limit_exceeded",
            null,
            { "retry-after": String(decision.retryAfterSeconds) },
          );
        }
        res.setHeader("x-ratelimit-remaining-requests", String(decision.remaining));
      }
      keyUsage.touch(key.id, now());
      await handler(req, res, key);
    } catch (error) {
      if (error instanceof GatewayError) {
        sendGatewayError(res, error);
        return;
      }
      if (error instanceof DomainError && error.kind === "BAD_REQUEST") {
        sendGatewayError(res, new GatewayError(400, error.message, "invalid_request_error"));
        return;
      }
      console.error(`gateway ${req.method} ${gatewayPathOf(req)} failed:`, error);
      if (res.headersSent) {
        // Mid-stream: OpenAI clients read an `error` event as the failure.
        if (!res.writableEnded) res.end(`data: ${JSON.stringify(internalError().body())}\n\n`);
        return;
      }
      sendGatewayError(res, internalError());
    }
  };

  const modelObject = (agent: { slug: string; createdAt: Date }) => ({
    id: agent.slug,
    object: "model" as const,
    created: Math.floor(agent.createdAt.getTime() / 1000),
    owned_by: "skyloom",
  });

  const endpoints = services.endpoints;
  const proxy = endpoints && services.marketplace ? new EndpointProxy({ endpoints, marketplace: services.marketplace, waitMs: options.endpointWaitMs }) : null;
  /** The endpoint a request's `model` names, when it is one and the key may call it. */
  const endpointFor = (key: AuthenticatedKey, body: unknown) => {
    const model = (body as { model?: unknown } | null)?.model;
    return proxy && endpoints && typeof model === "string" ? endpointForKey(endpoints, key, model) : null;
  };
  /** Endpoints are listed for keys that may call them (server keys without an agent restriction). */
  const endpointModels = async (key: AuthenticatedKey) =>
    endpoints && key.kind !== "public" && !key.allowedAgents
      ? (await endpoints.list({ teamId: key.teamId })).map((e) => ({ id: e.slug, object: "model" as const, created: Math.floor(e.createdAt / 1000), owned_by: "skyloom-endpoint" }))
      : [];

  const listModels = keyed(async (_req, res, key) => {
    const agents = services.servedAgents.list(key.teamId).filter((a) => !key.allowedAgents || key.allowedAgents.includes(a.id));
    sendJson(res, 200, { object: "list", data: [...agents.map(modelObject), ...(await endpointModels(key))] });
  });
  const retrieveModel = keyed((req, res, key) => {
    const encoded = gatewayPathOf(req).slice(MODEL_PATH.length);
    let model: string;
    try {
      model = decodeURIComponent(encoded);
    } catch {
      throw modelNotFound(encoded);
    }
    const endpoint = endpointFor(key, { model });
    if (endpoint) return sendJson(res, 200, { id: endpoint.slug, object: "model", created: Math.floor(endpoint.createdAt.getTime() / 1000), owned_by: "skyloom-endpoint" });
    sendJson(res, 200, modelObject(agentForKey(services.servedAgents, key, model)));
  });
  const chatCompletion = keyed(async (req, res, key) => {
    const body = await readJsonBody(req);
    const endpoint = endpointFor(key, body);
    if (endpoint && proxy) return proxy.proxy(req, res, key, endpoint, "/chat/completions", body as Record<string, unknown>);
    return handleChatCompletion(chatDeps, req, res, key, body);
  });
  const embeddings = keyed(async (req, res, key) => {
    const body = await readJsonBody(req);
    const model = (body as { model?: unknown } | null)?.model;
    if (typeof model !== "string" || model === "") throw new GatewayError(400, "Set `model` to the slug of one of the team's embedding endpoints.", "invalid_request_error", null, "model");
    const endpoint = endpointFor(key, body);
    if (!endpoint || !proxy) throw modelNotFound(model);
    return proxy.proxy(req, res, key, endpoint, "/embeddings", body as Record<string, unknown>);
  });

  const route = (req: Request, res: Response): void => {
    const path = gatewayPathOf(req);
    const method = req.method ?? "GET";
    // HEAD is GET without the body (node:http leaves it out), as Express answered it.
    const reads = method === "GET" || method === "HEAD";
    if (method === "OPTIONS") return cors.preflight(req, res);
    if (path === "/v1/models" && reads) return void listModels(req, res);
    if (path.startsWith(MODEL_PATH) && reads) return void retrieveModel(req, res);
    if (path === "/v1/chat/completions" && method === "POST") return void chatCompletion(req, res);
    if (path === "/v1/embeddings" && method === "POST") return void embeddings(req, res);
    cors.allowKnownOrigin(req, res);
    sendGatewayError(
      res,
      new GatewayError(404, `Unknown request URL: ${method} ${path}. This API serves GET /v1/models, POST /v1/chat/completions and POST /v1/embeddings.`, "invalid_request_error", "unknown_url"),
    );
  };

  return (req, res) => {
    // Outside `keyed` (preflight, unknown URLs) a throw would escape node:http and end the process.
    try {
      route(req, res);
    } catch (error) {
      console.error(`gateway ${req.method} ${gatewayPathOf(req)} failed:`, error);
      sendGatewayError(res, internalError());
    }
  };
}

const MODEL_PATH = "/v1/models/";

/** The path of a request, without its query and a trailing slash. */
function gatewayPathOf(req: Request): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** Whether a request is for the OpenAI-compatible API (it is answered before Express). */
export function isGatewayRequest(req: Request): boolean {
  const url = req.url ?? "";
  return url.startsWith("/v1") && (url.length === 3 || url[3] === "/" || url[3] === "?");
}
