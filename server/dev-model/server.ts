import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBodyWithin } from "../http/read-body";
import { devEmbeddingsResponse, type DevEmbeddingsRequest } from "./embeddings";
import { approxTokens, decideReply, DEV_MODEL_ID, textOf, type DevReply, type DevRequest } from "./replies";

export type DevModelServer = {
  /** The OpenAI-compatible base URL, e.g. http://127.0.0.1:43121/v1 */
  baseUrl: string;
  /** How many chat completions it has answered (for tests and the bench). */
  completions(): number;
  close(): Promise<void>;
};

export type DevModelOptions = {
  host?: string;
  port?: number;
  /** Pause between streamed chunks (tests use it for slow responses and timeouts). */
  chunkDelayMs?: number;
  /** Replaces the built-in answers for some requests (tests script errors and tool calls). */
  override?: (request: DevRequest) => DevReply | undefined;
  /** Holds a reply until the promise returned settles (tests decide when a model call ends). */
  hold?: (request: DevRequest) => Promise<void> | undefined;
};

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Every completion gets its own id (LangGraph merges messages that share one): a count after
 * a random part drawn once per server, so ids differ across servers and restarts too, without
 * asking the system for random bytes per answer.
 */
function completionIds(): () => string {
  const server = randomBytes(6).toString("hex");
  let sequence = 0;
  // The count last: a tool call's id is made of the last characters (see handleCompletion).
  return () => `chatcmpl-dev-${server}-${(sequence += 1).toString(36)}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyWithin(req, MAX_BODY_BYTES)).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // With its length, an answer goes out in one write with no chunked framing (as real servers send JSON).
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
}

function errorBody(message: string, type = "invalid_request_error") {
  return { error: { message, type, param: null, code: null } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Splits a text into word-sized pieces, spaces kept, as a model streams it. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

/**
 * The embedded local development model: a small OpenAI-compatible HTTP server (POST
 * /v1/chat/completions, streamed or not, with tool calls; POST /v1/embeddings, hashed bag of
 * words that is not semantic; GET /v1/models) that Skyloom starts
 * itself so a new flow runs with no key and no internet.
 */
export async function startDevModelServer(options: DevModelOptions = {}): Promise<DevModelServer> {
  let answered = 0;
  const delay = options.chunkDelayMs ?? 0;
  const completionId = completionIds();

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]?.replace(/\/+$/, "") ?? "";
    if (req.method === "GET" && (path === "/v1/models" || path === "/models")) {
      // Chat models only: the chat model picker lists these. The embeddings model is named in ./embeddings.ts.
      sendJson(res, 200, { object: "list", data: [{ id: DEV_MODEL_ID, object: "model", created: 0, owned_by: "skyloom" }] });
      return;
    }
    if (req.method === "POST" && (path === "/v1/embeddings" || path === "/embeddings")) {
      void handleEmbeddings(req, res).catch((error: unknown) => sendJson(res, 500, errorBody(error instanceof Error ? error.message : String(error), "server_error")));
      return;
    }
    if (req.method !== "POST" || (path !== "/v1/chat/completions" && path !== "/chat/completions")) {
      sendJson(res, 404, errorBody(`No route ${req.method} ${path}; this server answers POST /v1/chat/completions and POST /v1/embeddings.`));
      return;
    }
    void handleCompletion(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(error instanceof Error ? error.message : String(error), "server_error"));
      else res.end();
    });
  });

  async function handleEmbeddings(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let request: DevEmbeddingsRequest;
    try {
      request = JSON.parse(await readBody(req)) as DevEmbeddingsRequest;
    } catch {
      sendJson(res, 400, errorBody("The body is not valid JSON."));
      return;
    }
    const { status, body } = devEmbeddingsResponse(request);
    sendJson(res, status, body);
  }

  async function handleCompletion(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let request: DevRequest;
    try {
      request = JSON.parse(await readBody(req)) as DevRequest;
    } catch {
      sendJson(res, 400, errorBody("The body is not valid JSON."));
      return;
    }
    if (!Array.isArray(request.messages)) {
      sendJson(res, 400, errorBody("messages must be an array."));
      return;
    }
    await options.hold?.(request);
    const reply = options.override?.(request) ?? decideReply(request);
    if (reply.kind === "error") {
      sendJson(res, reply.status, errorBody(reply.message));
      return;
    }
    answered += 1;
    const id = completionId();
    const created = Math.floor(Date.now() / 1000);
    const model = request.model || DEV_MODEL_ID;
    const promptText = request.messages.map((m) => textOf(m.content)).join("\n");
    const toolCalls =
      reply.kind === "tool_calls"
        ? reply.calls.map((c, i) => ({
            id: `call_${id.slice(-8)}_${i}`,
            type: "function" as const,
            function: { name: c.name, arguments: JSON.stringify(c.arguments) },
          }))
        : [];
    let text = reply.kind === "text" ? reply.text : "";
    const limit = request.max_completion_tokens ?? request.max_tokens;
    let finishReason = reply.kind === "tool_calls" ? "tool_calls" : "stop";
    if (limit !== undefined && reply.kind === "text" && approxTokens(text) > limit) {
      text = text.slice(0, limit * 4);
      finishReason = "length";
    }
    const usage = {
      prompt_tokens: approxTokens(promptText),
      completion_tokens: approxTokens(text + toolCalls.map((c) => c.function.arguments).join("")),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

    if (!request.stream) {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: toolCalls.length > 0 ? null : text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
            finish_reason: finishReason,
          },
        ],
        usage,
      });
      return;
    }

    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    let closed = false;
    res.on("close", () => {
      closed = true;
    });
    const send = async (delta: Record<string, unknown>, finish: string | null = null) => {
      if (delay > 0) await sleep(delay);
      if (closed) return;
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    };
    await send({ role: "assistant", content: "" });
    for (const piece of text ? pieces(text) : []) await send({ content: piece });
    for (const [index, call] of toolCalls.entries()) {
      // Arguments arrive in two parts, as real servers send them.
      const args = call.function.arguments;
      const half = Math.ceil(args.length / 2);
      await send({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: args.slice(0, half) } }] });
      await send({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] });
    }
    await send({}, finishReason);
    if (request.stream_options?.include_usage && !closed) {
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`);
    }
    if (!closed) res.end("data: [DONE]\n\n");
  }

  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    completions: () => answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
