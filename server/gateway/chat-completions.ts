import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage as Request, ServerResponse as Response } from "node:http";
import type { RunResult } from "#agents/runtime/executor";
import type { AuthenticatedKey } from "../services/api-keys";
import { utcDay } from "../services/run-settlement";
import type { RunStore } from "../services/run-store";
import type { ServedAgent, ServedAgents } from "../services/served-agents";
import type { AgentRunHandle, AgentRunner } from "./agent-runner";
import type { UsageHold } from "../billing/metering";
import { holdForRequest, type GatewayBilling } from "./billing";
import { readJsonBody } from "./body";
import { conversationHeaderError, parseChatRequest, type ParsedChatRequest } from "./chat-request";
import { GatewayError, sendJson } from "./errors";

const CONVERSATION_ID = /^[\x21-\x7e]{1,256}$/;

export function modelNotFound(model: string): GatewayError {
  return new GatewayError(404, `The model '${model}' does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found", "model");
}

/** Resolves `model` to an agent the key may call: 404 when the team serves no such slug, 403 when the key is restricted. */
export function agentForKey(servedAgents: Pick<ServedAgents, "find">, key: AuthenticatedKey, model: string): ServedAgent {
  const agent = servedAgents.find(key.teamId, model);
  if (!agent) throw modelNotFound(model);
  if (key.allowedAgents && !key.allowedAgents.includes(agent.id)) {
    throw new GatewayError(403, `This API key may not call the model '${model}'; use a key allowed for it, or allow it on the key.`, "permission_error", "model_not_allowed", "model");
  }
  return agent;
}

/**
 * The conversation memory a request continues: the `conversation_id` header, else the `user`
 * field, else a fresh one (then only the request's own messages are history). Ids are scoped
 * to the agent, and a public key's to that key, so a widget visitor cannot reach a
 * conversation held through a server key.
 */
function conversationIdFor(req: Request, request: ParsedChatRequest, agent: ServedAgent, key: AuthenticatedKey): string {
  const header = req.headers["conversation_id"] ?? req.headers["x-conversation-id"];
  let given: string | undefined;
  if (header !== undefined) {
    if (typeof header !== "string" || !CONVERSATION_ID.test(header)) throw conversationHeaderError("conversation_id");
    given = header;
  } else if (request.user) {
    given = request.user;
  }
  // randomUUID draws from Node's buffered entropy; randomBytes made a system call per request.
  if (!given) return `gw:${agent.id}:once:${randomUUID()}`;
  // Hashed: the client's id may be long or odd, the stored one is short and uniform.
  const scope = key.kind === "public" ? `pk:${key.id}` : "team";
  return `gw:${agent.id}:${createHash("sha256").update(`${scope}\0${given}`).digest("base64url").slice(0, 32)}`;
}

export type ChatCompletionsDeps = {
  servedAgents: Pick<ServedAgents, "find" | "pinnedGraph">;
  runStore: Pick<RunStore, "postWithoutRun">;
  /** Absent or off: nothing is metered. */
  billing?: GatewayBilling;
  runAgent: AgentRunner;
};

/** Text of a finished run that the stream has not sent yet (when the output was not token-streamed). */
function unsentText(output: string | null, streamed: string): string {
  if (!output) return "";
  if (streamed === "") return output;
  return output.startsWith(streamed) ? output.slice(streamed.length) : "";
}

function usageOf(result: RunResult) {
  const { promptTokens, completionTokens } = result.usage;
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

function runFailure(result: RunResult): GatewayError {
  if (result.status === "timed_out") {
    return new GatewayError(504, `The agent did not answer in time (run ${result.runId}). Its owner can open the run's trace in Skyloom.`, "server_error", "timeout");
  }
  return new GatewayError(500, `The agent could not answer (run ${result.runId}, ${result.status}). Its owner can open the run's trace in Skyloom.`, "server_error", "agent_failed");
}

/** `body`: the request's JSON when the caller already read it (to route by `model`). */
export async function handleChatCompletion(deps: ChatCompletionsDeps, req: Request, res: Response, key: AuthenticatedKey, given?: unknown): Promise<void> {
  const body = given === undefined ? await readJsonBody(req) : given;
  const request = parseChatRequest(body);
  const agent = agentForKey(deps.servedAgents, key, request.model);

  const startedAt = Date.now();
  let result: RunResult | undefined;
  // A run's settlement posts the request's usage with the run's final state (one transaction);
  // a request that never got a run is counted on its own below.
  let run: AgentRunHandle | undefined;
  let clientGone = false;
  let hold: UsageHold | undefined;
  try {
    const conversationId = conversationIdFor(req, request, agent, key);
    const graph = deps.servedAgents.pinnedGraph(agent);
    // What the request may cost is held before it runs (402 when it cannot be paid); its run's
    // settlement charges what it did cost and lets the hold go.
    hold = deps.billing ? await holdForRequest(deps.billing, { teamId: agent.teamId, apiKeyId: key.id, graph, request }) : undefined;
    res.once("close", () => {
      if (res.writableFinished) return;
      clientGone = true;
      run?.cancel();
    });
    run = await deps.runAgent({
      teamId: agent.teamId,
      flowId: agent.flowId,
      flowVersionId: agent.flowVersionId,
      graph,
      input: request.input,
      history: request.history,
      conversationId,
      stream: request.stream,
      origin: { kind: "gateway", agentId: agent.id, apiKeyId: key.id, ...(hold ? { hold } : {}) },
    });
    if (clientGone) run.cancel();
    res.setHeader("x-skyloom-run-id", run.runId);
    const completionId = `chatcmpl-${run.runId}`;
    const created = Math.floor(startedAt / 1000);

    if (!request.stream) {
      result = await run.result;
      if (result.status !== "succeeded") throw runFailure(result);
      sendJson(res, 200, {
        id: completionId,
        object: "chat.completion",
        created,
        model: agent.slug,
        choices: [{ index: 0, message: { role: "assistant", content: result.output ?? "", refusal: null }, logprobs: null, finish_reason: "stop" }],
        usage: usageOf(result),
      });
      return;
    }

    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      `data: ${JSON.stringify({ id: completionId, object: "chat.completion.chunk", created, model: agent.slug, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`;
    res.write(chunk({ role: "assistant", content: "" }));
    let streamed = "";
    for await (const event of run.events()) {
      if (clientGone) break;
      if (event.type === "token" && event.toOutput && event.text) {
        streamed += event.text;
        res.write(chunk({ content: event.text }));
      }
    }
    result = await run.result;
    if (res.writableEnded || res.destroyed) return;
    if (result.status !== "succeeded") {
      res.end(`data: ${JSON.stringify(runFailure(result).body())}\n\n`);
      return;
    }
    const rest = unsentText(result.output, streamed);
    let tail = (rest ? chunk({ content: rest }) : "") + chunk({}, "stop");
    if (request.includeUsage) {
      tail += `data: ${JSON.stringify({ id: completionId, object: "chat.completion.chunk", created, model: agent.slug, choices: [], usage: usageOf(result) })}\n\n`;
    }
    res.end(`${tail}data: [DONE]\n\n`);
  } finally {
    if (!run) {
      if (hold) deps.billing?.meter.release(hold);
      deps.runStore.postWithoutRun({ kind: "agent-usage", agentId: agent.id, teamId: agent.teamId, day: utcDay(startedAt), errors: 1, promptTokens: 0, completionTokens: 0 });
    }
  }
}
