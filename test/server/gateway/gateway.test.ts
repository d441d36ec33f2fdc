import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerCaller } from "#server/trpc/root";
import { helloAgentGraph, memoryAgentGraph, promptAgentGraph, startGatewayHost, type GatewayHost } from "./support";
import { joinTeam } from "../../support/teams";

let host: GatewayHost;
let alice: ServerCaller;
let bob: ServerCaller;
let support: { id: string; slug: string; flowId: string };
let memoryBot: { id: string; slug: string };
let aliceKey: string;
let memoryOnlyKey: string;
let aliceKeyId: string;

beforeAll(async () => {
  host = await startGatewayHost();
  alice = await host.person("alice@example.com");
  bob = await host.person("bob@example.com");

  const flow = await alice.flow.create({ name: "Support Bot", graph: promptAgentGraph("Version one. {input}") });
  const published = await alice.agent.publish({ flowId: flow.id });
  support = { id: published.id, slug: published.slug, flowId: flow.id };
  const memoryFlow = await alice.flow.create({ name: "Memory Bot", graph: memoryAgentGraph() });
  const mem = await alice.agent.publish({ flowId: memoryFlow.id, slug: "memory-bot" });
  memoryBot = { id: mem.id, slug: mem.slug };

  const created = await alice.apiKey.create({ name: "backend", kind: "secret" });
  aliceKey = created.token;
  aliceKeyId = created.key.id;
  memoryOnlyKey = (await alice.apiKey.create({ name: "memory only", kind: "secret", allowedAgents: [memoryBot.id] })).token;

  const bobFlow = await bob.flow.create({ name: "Bob Bot", graph: helloAgentGraph() });
  await bob.agent.publish({ flowId: bobFlow.id, slug: "bob-bot" });
}, 60_000);

afterAll(async () => {
  await host?.close();
});

async function expectApiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("publishing", () => {
  it("gives the flow a slug from its name and pins a new version of the saved graph", async () => {
    expect(support.slug).toBe("support-bot");
    const forFlow = await alice.agent.forFlow({ flowId: support.flowId });
    expect(forFlow.publication?.versionNumber).toBe(1);
    expect(forFlow.publication?.status).toBe("active");
    expect(forFlow.baseUrl).toMatch(/\/v1$/);
  });

  it("refuses a slug another agent of the team uses, and a malformed one, naming the field", async () => {
    await expect(alice.agent.rename({ id: support.id, slug: "memory-bot" })).rejects.toThrow(/slug: "memory-bot" is already used/);
    await expect(alice.agent.rename({ id: support.id, slug: "Bad Slug!" })).rejects.toThrow(/slug: "Bad Slug!" is not a valid name/);
  });

  it("refuses to publish a flow without a chat input and output", async () => {
    const flow = await alice.flow.create({ name: "Empty" });
    await expect(alice.agent.publish({ flowId: flow.id })).rejects.toThrow(/Chat Input block/);
    expect(await alice.agent.forFlow({ flowId: flow.id })).toMatchObject({ publication: null });
  });

  it("refuses a half-built flow, naming the block by its label and the port by its name, not by ids", async () => {
    const node = (id: string, type: string, label?: string) => ({ id, type, version: 1, config: {}, ui: { x: 0, y: 0, ...(label ? { label } : {}) } });
    const graph = {
      schemaVersion: 1 as const,
      nodes: [node("n_in1", "io.chat-input"), node("n_qoqllmsy", "agent.tools", "Support agent"), node("n_out1", "io.chat-output")],
      edges: [
        { id: "e1", from: { node: "n_in1", port: "message" }, to: { node: "n_qoqllmsy", port: "prompt" } },
        { id: "e2", from: { node: "n_qoqllmsy", port: "text" }, to: { node: "n_out1", port: "message" } },
      ],
    };
    const flow = await alice.flow.create({ name: "Half built", graph });
    const refused = alice.agent.publish({ flowId: flow.id });
    await expect(refused).rejects.toThrow('Fix this before publishing: Agent "Support agent": The input "Model" needs a connection. (E202)');
    await expect(alice.agent.publish({ flowId: flow.id })).rejects.not.toThrow(/n_qoqllmsy|port model/);
  });
});

describe("/v1 with the official openai SDK", () => {
  it("lists the agents a key may use as models", async () => {
    const all = await host.openai(aliceKey).models.list();
    expect(all.data.map((m) => m.id).sort()).toEqual(["memory-bot", "support-bot"]);
    expect(all.data[0]).toMatchObject({ object: "model", owned_by: "skyloom" });
    const restricted = await host.openai(memoryOnlyKey).models.list();
    expect(restricted.data.map((m) => m.id)).toEqual(["memory-bot"]);
    const one = await host.openai(aliceKey).models.retrieve("support-bot");
    expect(one.id).toBe("support-bot");
  });

  it("answers a non-streaming completion from the pinned version, with usage, and stores the run", async () => {
    const completion = await host.openai(aliceKey).chat.completions.create({
      model: "support-bot",
      messages: [{ role: "user", content: "Where is my order?" }],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("support-bot");
    const content = completion.choices[0]?.message.content ?? "";
    expect(content).toContain('You said: "Version one. Where is my order?"');
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));

    const runId = completion.id.replace(/^chatcmpl-/, "");
    const run = await alice.run.get({ id: runId });
    expect(run).toMatchObject({ source: "gateway", status: "succeeded", output: content, input: "Where is my order?", flowId: support.flowId });
    expect(run.completionTokens).toBe(completion.usage?.completion_tokens);
    expect(run.steps.map((s) => s.nodeId)).toEqual(["input", "prompt", "model", "output"]);

    const history = await alice.agent.runs({ id: support.id, apiKeyId: aliceKeyId });
    expect(history.runs.map((r) => r.id)).toContain(runId);
    expect(history.runs.find((r) => r.id === runId)).toMatchObject({ apiKeyName: "backend", status: "succeeded" });
    const usage = await alice.agent.usage({ id: support.id, days: 7 });
    const today = usage.at(-1);
    expect(usage).toHaveLength(7);
    expect(today?.requests).toBeGreaterThanOrEqual(1);
    expect(today?.completionTokens).toBeGreaterThanOrEqual(completion.usage?.completion_tokens ?? 1);
  });

  it("streams OpenAI chunks ending the stream, and the streamed text is the stored run's output", async () => {
    const stream = await host.openai(aliceKey).chat.completions.create({
      model: "support-bot",
      messages: [{ role: "user", content: "Stream please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThan(3);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0]?.id)).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("stop");
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage?.completion_tokens).toBeGreaterThan(0);

    const run = await alice.run.get({ id: (chunks[0]?.id ?? "").replace(/^chatcmpl-/, "") });
    expect(run.status).toBe("succeeded");
    expect(run.output).toBe(text);
    expect(run.completionTokens).toBe(usageChunk?.usage?.completion_tokens);
  });

  it("ends a raw stream with data: [DONE]", async () => {
    const res = await fetch(`${host.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${aliceKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "support-bot", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const body = await res.text();
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(body.split("\n\n").filter(Boolean).every((e) => e.startsWith("data: "))).toBe(true);
  });

  it("answers URLs outside the API with OpenAI's 404, tolerates a trailing slash and a query, and sends the security headers", async () => {
    const auth = { authorization: `Bearer ${aliceKey}` };
    const unknown = await fetch(`${host.baseURL}/embeddings/unknown`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: "invalid_request_error", code: "unknown_url" } });
    const wrongMethod = await fetch(`${host.baseURL}/chat/completions`, { headers: auth });
    expect(wrongMethod.status).toBe(404);
    expect((await wrongMethod.json()).error.message).toContain("GET /v1/chat/completions");

    const models = await fetch(`${host.baseURL}/models/?limit=5`, { headers: auth });
    expect(models.status).toBe(200);
    expect(((await models.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    expect(models.headers.get("x-content-type-options")).toBe("nosniff");
    expect(models.headers.get("x-frame-options")).toBe("DENY");
    const head = await fetch(`${host.baseURL}/models`, { method: "HEAD", headers: auth });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const one = await fetch(`${host.baseURL}/models/support%2Dbot`, { headers: auth });
    expect(((await one.json()) as { id: string }).id).toBe("support-bot");
    const malformed = await fetch(`${host.baseURL}/models/%E0%A4%A`, { headers: auth });
    expect(malformed.status).toBe(404);
  });

  it("keeps memory across requests by `user`, and turns earlier request messages into history", async () => {
    const client = host.openai(aliceKey);
    const ask = (content: string, extra: Partial<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming> = {}) =>
      client.chat.completions.create({ model: "memory-bot", messages: [{ role: "user", content }], ...extra });
    expect((await ask("first", { user: "customer-42" })).choices[0]?.message.content).toContain("This is turn 1");
    expect((await ask("second", { user: "customer-42" })).choices[0]?.message.content).toContain("This is turn 2");
    // Another user starts fresh.
    expect((await ask("first", { user: "customer-43" })).choices[0]?.message.content).toContain("This is turn 1");
    // The conversation_id header keeps memory too.
    const withHeader = (content: string) =>
      client.chat.completions.create({ model: "memory-bot", messages: [{ role: "user", content }] }, { headers: { conversation_id: "thread-1" } });
    await withHeader("one");
    expect((await withHeader("two")).choices[0]?.message.content).toContain("This is turn 2");
    // Stateless: the request's earlier messages are the history.
    const stateless = await client.chat.completions.create({
      model: "memory-bot",
      messages: [
        { role: "user", content: "earlier question" },
        { role: "assistant", content: "earlier answer" },
        { role: "user", content: "now" },
      ],
    });
    expect(stateless.choices[0]?.message.content).toContain("This is turn 2");
  });

  it("refuses a key restricted to another agent with 403", async () => {
    const error = await expectApiError(host.openai(memoryOnlyKey).chat.completions.create({ model: "support-bot", messages: [{ role: "user", content: "hi" }] }));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.status).toBe(403);
    expect(error.code).toBe("model_not_allowed");
    expect(error.param).toBe("model");
  });

  it("refuses an unknown and a revoked key with 401", async () => {
    const unknown = await expectApiError(host.openai(`sky_sk_${"A".repeat(43)}`).models.list());
    expect(unknown).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unknown.code).toBe("invalid_api_key");
    expect(unknown.message).not.toContain("A".repeat(43));

    const { token, key } = await alice.apiKey.create({ name: "soon revoked", kind: "secret" });
    expect((await host.openai(token).models.list()).data.length).toBe(2);
    await alice.apiKey.revoke({ id: key.id });
    const revoked = await expectApiError(host.openai(token).chat.completions.create({ model: "support-bot", messages: [{ role: "user", content: "hi" }] }));
    expect(revoked).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(revoked.status).toBe(401);
    expect(revoked.message).toMatch(/revoked/);

    const none = await fetch(`${host.baseURL}/models`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "missing_api_key", type: "invalid_request_error" } });
  });

  it("limits a key to its requests per minute with 429 and retry-after", async () => {
    const { token } = await alice.apiKey.create({ name: "limited", kind: "secret", requestsPerMinute: 2 });
    const client = host.openai(token);
    await client.models.list();
    await client.models.list();
    const limited = await expectApiError(client.chat.completions.create({ model: "support-bot", messages: [{ role: "user", content: "hi" }] }));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers?.get("retry-after"))).toBeLessThanOrEqual(30);
    expect(limited.code).toBe("rate_limit_exceeded");
    // Other keys are not affected.
    expect((await host.openai(aliceKey).models.list()).data.length).toBe(2);
  });

  it("answers a malformed body with 400 naming the field", async () => {
    const client = host.openai(aliceKey);
    const noMessages = await expectApiError(client.chat.completions.create({ model: "support-bot" } as never));
    expect(noMessages).toBeInstanceOf(OpenAI.BadRequestError);
    expect(noMessages.param).toBe("messages");
    expect(noMessages.message).toMatch(/messages/);

    const badRole = await expectApiError(client.chat.completions.create({ model: "support-bot", messages: [{ role: "robot", content: "x" }] } as never));
    expect(badRole.param).toBe("messages[0].role");

    const lastNotUser = await expectApiError(
      client.chat.completions.create({ model: "support-bot", messages: [{ role: "user", content: "x" }, { role: "assistant", content: "y" }] }),
    );
    expect(lastNotUser.param).toBe("messages[1].role");

    const tools = await expectApiError(
      client.chat.completions.create({
        model: "support-bot",
        messages: [{ role: "user", content: "x" }],
        tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      }),
    );
    expect(tools.param).toBe("tools");

    const notJson = await fetch(`${host.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${aliceKey}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { type: "invalid_request_error", code: "invalid_json" } });

    const huge = await fetch(`${host.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${aliceKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "support-bot", messages: [{ role: "user", content: "x".repeat(1_100_000) }] }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: "request_too_large" } });
  });

  it("answers another team's slug and an unknown one with 404", async () => {
    const cross = await expectApiError(host.openai(aliceKey).chat.completions.create({ model: "bob-bot", messages: [{ role: "user", content: "hi" }] }));
    expect(cross).toBeInstanceOf(OpenAI.NotFoundError);
    expect(cross.code).toBe("model_not_found");
    const unknown = await expectApiError(host.openai(aliceKey).models.retrieve("no-such-agent"));
    expect(unknown.status).toBe(404);
  });

  it("keeps serving the pinned version until a newer one is published explicitly", async () => {
    const ask = async () =>
      (await host.openai(aliceKey).chat.completions.create({ model: "support-bot", messages: [{ role: "user", content: "which?" }] })).choices[0]?.message.content;
    const flow = await alice.flow.get({ id: support.flowId });
    await alice.flow.save({ id: flow.id, graph: promptAgentGraph("Version two. {input}"), expectedRevision: flow.revision });
    expect(await ask()).toContain("Version one. which?");
    const republished = await alice.agent.publish({ flowId: support.flowId });
    expect(republished.versionNumber).toBe(2);
    expect(await ask()).toContain("Version two. which?");
  });

  it("stops serving at once when unpublished, and serves again when published", async () => {
    const client = host.openai(aliceKey);
    await alice.agent.unpublish({ id: memoryBot.id });
    const gone = await expectApiError(client.chat.completions.create({ model: "memory-bot", messages: [{ role: "user", content: "hi" }] }));
    expect(gone.status).toBe(404);
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(["support-bot"]);
    const memoryFlowId = (await alice.agent.get({ id: memoryBot.id })).flowId;
    await alice.agent.publish({ flowId: memoryFlowId, versionId: (await alice.agent.get({ id: memoryBot.id })).flowVersionId });
    const back = await client.chat.completions.create({ model: "memory-bot", messages: [{ role: "user", content: "hi" }] });
    expect(back.choices[0]?.message.content).toContain("You said");
  });

  it("answers a failing agent with a 500 that names the run but no internals, and counts the error", async () => {
    const graph = helloAgentGraph();
    const model = graph.nodes.find((n) => n.id === "model");
    if (model) model.config = { ...(model.config as object), baseUrl: "http://127.0.0.1:9/v1" };
    const flow = await alice.flow.create({ name: "Broken Bot", graph });
    const agent = await alice.agent.publish({ flowId: flow.id });
    const error = await expectApiError(host.openai(aliceKey).chat.completions.create({ model: agent.slug, messages: [{ role: "user", content: "hi" }] }));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/run run_/);
    expect(error.message).not.toContain("127.0.0.1");
    const runId = /run (run_[a-z0-9]+)/.exec(error.message)?.[1] ?? "";
    const run = await alice.run.get({ id: runId });
    expect(run.status).toBe("failed");
    const usage = await alice.agent.usage({ id: agent.id, days: 1 });
    expect(usage[0]).toMatchObject({ requests: 1, errors: 1 });
    const failed = await alice.agent.runs({ id: agent.id, status: "failed" });
    expect(failed.runs.map((r) => r.id)).toEqual([runId]);
    expect((await alice.agent.runs({ id: agent.id, status: "succeeded" })).runs).toEqual([]);
  });
});

describe("public keys and CORS", () => {
  let publicKey: string;
  const allowed = "https://shop.example";

  beforeAll(async () => {
    publicKey = (await alice.apiKey.create({ name: "widget", kind: "public", allowedAgents: [support.id], allowedOrigins: [`${allowed}/`] })).token;
  });

  const post = (origin: string | undefined, key = publicKey) =>
    fetch(`${host.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...(origin ? { origin } : {}) },
      body: JSON.stringify({ model: "support-bot", messages: [{ role: "user", content: "hi" }] }),
    });

  it("refuses a public key without exactly one agent or without origins", async () => {
    await expect(alice.apiKey.create({ name: "w", kind: "public", allowedOrigins: [allowed] })).rejects.toThrow(/exactly one agent/);
    await expect(alice.apiKey.create({ name: "w", kind: "public", allowedAgents: [support.id] })).rejects.toThrow(/allowedOrigins/);
    await expect(alice.apiKey.create({ name: "w", kind: "public", allowedAgents: [support.id], allowedOrigins: ["https://x.example/path"] })).rejects.toThrow(/not an origin/);
  });

  it("answers preflights only for origins a public key lists", async () => {
    const ok = await fetch(`${host.baseURL}/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: allowed, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    const refused = await fetch(`${host.baseURL}/chat/completions`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("serves the allowed origin with CORS headers and refuses others, and requests without an origin", async () => {
    const ok = await post(allowed);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(allowed);
    const evil = await post("https://evil.example");
    expect(evil.status).toBe(403);
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    expect(((await evil.json()) as { error: { code: string } }).error.code).toBe("origin_not_allowed");
    expect((await post(undefined)).status).toBe(403);
    // A secret key never gets CORS headers, so a page cannot read what it answers.
    const secret = await post(allowed, aliceKey);
    expect(secret.status).toBe(200);
    expect(secret.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("limits a public key to its one agent", async () => {
    const res = await fetch(`${host.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${publicKey}`, "content-type": "application/json", origin: allowed },
      body: JSON.stringify({ model: "memory-bot", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(403);
  });
});

describe("key management", () => {
  it("shows a key once and stores only a keyed hash", async () => {
    const { token, key } = await alice.apiKey.create({ name: "shown once", kind: "secret" });
    expect(token).toMatch(/^sky_sk_[A-Za-z0-9_-]{43}$/);
    expect(key.prefix).toBe(token.slice(0, 12));
    const listed = await alice.apiKey.list();
    expect(JSON.stringify(listed)).not.toContain(token);
    const row = host.skyloom.services.database.sqlite.prepare("select key_hash from api_keys where id = ?").get(key.id) as { key_hash: string };
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.key_hash).not.toContain(token.slice(7, 20));
  });

  it("keeps keys and agents per team", async () => {
    const bobKeys = await bob.apiKey.list();
    expect(bobKeys).toEqual([]);
    const aliceKeys = await alice.apiKey.list();
    await expect(bob.apiKey.revoke({ id: aliceKeys[0]?.id ?? "" })).rejects.toThrow(/not found/);
    await expect(bob.agent.runs({ id: support.id })).rejects.toThrow(/not found/);
    await expect(bob.apiKey.create({ name: "x", kind: "secret", allowedAgents: [support.id] })).rejects.toThrow(/not published in this team/);
  });

  it("needs the editor role to publish and the admin role to manage keys", async () => {
    const carol = await host.person("carol@example.com");
    await joinTeam(alice, carol, "editor");
    const aliceTeam = (await carol.team.list()).find((t) => !t.active && t.role === "editor");
    await carol.team.switch({ teamId: aliceTeam?.id ?? "" });
    await expect(carol.apiKey.create({ name: "nope", kind: "secret" })).rejects.toThrow(/admin role/);
    await expect(carol.apiKey.revoke({ id: aliceKeyId })).rejects.toThrow(/admin role/);
    expect((await carol.agent.list()).map((a) => a.slug)).toContain("support-bot");
    const dave = await host.person("dave@example.com");
    await joinTeam(alice, dave, "viewer");
    const viewerTeam = (await dave.team.list()).find((t) => t.role === "viewer");
    await dave.team.switch({ teamId: viewerTeam?.id ?? "" });
    await expect(dave.agent.unpublish({ id: support.id })).rejects.toThrow(/editor role/);
    await expect(dave.agent.publish({ flowId: support.flowId })).rejects.toThrow(/editor role/);
  });
});

describe("deleting a published flow", () => {
  it("removes its agent: the API answers 404 and keys keep working for the rest", async () => {
    const flow = await alice.flow.create({ name: "Short Lived", graph: helloAgentGraph() });
    const agent = await alice.agent.publish({ flowId: flow.id });
    const client = host.openai(aliceKey);
    await client.chat.completions.create({ model: agent.slug, messages: [{ role: "user", content: "hi" }] });
    await alice.flow.remove({ id: flow.id });
    expect((await alice.agent.list()).map((a) => a.slug)).not.toContain(agent.slug);
    const gone = await expectApiError(client.chat.completions.create({ model: agent.slug, messages: [{ role: "user", content: "hi" }] }));
    expect(gone.status).toBe(404);
    expect((await client.models.list()).data.map((m) => m.id)).toContain("support-bot");
  });
});
