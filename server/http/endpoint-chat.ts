import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { MarketplaceError, type ServingEndpoint } from "../marketplace/marketplace";
import { streamUsage } from "../marketplace/openai-usage";
import type { RequestRecord } from "../services/endpoint-metrics";
import { DomainError } from "../services/errors";
import type { Context } from "../trpc/context";
import { BodyTooLargeError, readBodyWithin } from "./read-body";

/**
 * POST /api/endpoints/:id/chat — the endpoint page's playground. The signed-in session says
 * who (any member of the endpoint's team: the lease is paid for already); the answer is the
 * node's OpenAI chat stream, passed through as it is written. Requests count in the
 * endpoint's metrics like the gateway's. JSON only, so a cross-site form cannot post here.
 */
export const ENDPOINT_CHAT_PATH = /^\/api\/endpoints\/([A-Za-z0-9_-]{1,64})\/chat$/;
const MAX_BODY_BYTES = 256 * 1024;
/** How long to wait for an endpoint being ordered, started or woken before answering 503. */
const SERVING_TIMEOUT_MS = 30_000;

const ChatBody = z.object({
  messages: z
    .array(z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string().max(32_000, "A message is at most 32,000 characters.") }))
    .min(1, "Send at least one message.")
    .max(100, "At most 100 messages."),
});

type Viewer = NonNullable<Context["viewer"]>;

export type EndpointChatDeps = {
  viewerOf(req: IncomingMessage, res: ServerResponse): Viewer | null;
  serving(teamId: string, endpointId: string, options: { timeoutMs: number; signal: AbortSignal }): Promise<ServingEndpoint>;
  recordRequest(record: RequestRecord): void;
  now?: () => number;
};

function refuse(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ error: { message } }));
}

const MARKET_STATUS: Record<MarketplaceError["code"], number> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHORIZED: 401,
  TIMEOUT: 503,
  UNAVAILABLE: 409,
};
const DOMAIN_STATUS: Record<DomainError["kind"], number> = { BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, TOO_MANY_REQUESTS: 429, PRECONDITION_FAILED: 412 };

const ENDPOINT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function endpointChatHandler(deps: EndpointChatDeps) {
  const handle = chat(deps);
  // A failure of Skyloom's own is logged and answered, never left as an unhandled rejection.
  return (req: IncomingMessage, res: ServerResponse, endpointId: string): Promise<void> =>
    handle(req, res, endpointId).catch((error: unknown) => {
      console.error("The playground chat failed:", error);
      if (!res.headersSent) refuse(res, 500, "The chat failed because of an error in Skyloom; the server log has the details.");
      else res.end();
    });
}

function chat(deps: EndpointChatDeps) {
  const now = deps.now ?? Date.now;
  return async (req: IncomingMessage, res: ServerResponse, endpointId: string): Promise<void> => {
    if (!ENDPOINT_ID.test(endpointId)) return refuse(res, 404, "No such endpoint.");
    if ((req.headers["content-type"] ?? "").split(";")[0]?.trim() !== "application/json") {
      return refuse(res, 415, "Send the messages as JSON (Content-Type: application/json).");
    }
    const viewer = deps.viewerOf(req, res);
    if (!viewer) return refuse(res, 401, "Log in first.");
    const teamId = viewer.membership?.teamId;
    if (!teamId) return refuse(res, 403, "You are not a member of any team.");
    let body: z.infer<typeof ChatBody>;
    try {
      const parsed = ChatBody.safeParse(JSON.parse((await readBodyWithin(req, MAX_BODY_BYTES)).toString("utf8")));
      if (!parsed.success) return refuse(res, 400, parsed.error.issues[0]?.message ?? "The messages are not valid.");
      body = parsed.data;
    } catch (error) {
      if (error instanceof BodyTooLargeError) return refuse(res, 413, `The conversation is over ${MAX_BODY_BYTES / 1024} KB; start a new one.`);
      if (error instanceof SyntaxError) return refuse(res, 400, "The body is not valid JSON.");
      throw error;
    }

    // The person leaving the page stops the wait and the node's answer.
    const abort = new AbortController();
    res.once("close", () => abort.abort());
    const started = now();
    let target: ServingEndpoint;
    try {
      target = await deps.serving(teamId, endpointId, { timeoutMs: SERVING_TIMEOUT_MS, signal: abort.signal });
    } catch (error) {
      if (error instanceof MarketplaceError) return refuse(res, MARKET_STATUS[error.code], error.message);
      if (error instanceof DomainError) return refuse(res, DOMAIN_STATUS[error.kind], error.message);
      throw error;
    }
    const record = (status: number, usage: { promptTokens: number; completionTokens: number } | null, latencyMs: number) =>
      deps.recordRequest({ teamId, endpointId, apiKeyId: null, promptTokens: usage?.promptTokens ?? 0, completionTokens: usage?.completionTokens ?? 0, latencyMs, status, at: started });

    let upstream: Response;
    try {
      upstream = await fetch(`${target.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${target.apiKey}` },
        body: JSON.stringify({ model: target.model, messages: body.messages, stream: true, stream_options: { include_usage: true } }),
        signal: abort.signal,
      });
    } catch {
      if (abort.signal.aborted) return;
      record(502, null, now() - started);
      return refuse(res, 502, "The node serving this endpoint did not answer; it may be failing over, try again in a few seconds.");
    }
    const latencyMs = now() - started;
    if (!upstream.ok || !upstream.body) {
      record(upstream.status, null, latencyMs);
      return refuse(res, 502, `The node answered with HTTP ${upstream.status}: ${(await upstream.text().catch(() => "")).slice(0, 300)}`);
    }
    res.statusCode = 200;
    res.setHeader("content-type", "text/event-stream; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    // Kept: the end of the stream, where the usage chunk is.
    let tail = "";
    const decoder = new TextDecoder();
    try {
      const reader = upstream.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        res.write(value);
        tail = (tail + decoder.decode(value, { stream: true })).slice(-4096);
      }
      record(200, streamUsage(tail).usage, latencyMs);
    } catch {
      // The person stopping the answer is not the endpoint's error.
      if (!abort.signal.aborted) record(502, streamUsage(tail).usage, latencyMs);
    }
    res.end();
  };
}
