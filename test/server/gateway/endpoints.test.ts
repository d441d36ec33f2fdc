import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import type { ServerCaller } from "#server/trpc/root";
import { startNodeProcess, type NodeProcess } from "../marketplace/support";
import { startGatewayHost, type GatewayHost } from "./support";

/**
 * Model endpoints through the gateway (issue 12): a real host (matchmaker at /market/v1), two
 * node processes joining it with a team's join token and serving a slow-streaming upstream,
 * and the official `openai` SDK calling `/v1` with the endpoint's slug as `model`. The heartbeat
 * timeout is long (10 s): after kill -9 it is the gateway's own report of the dead URI that
 * moves the lease, while the requests queued in the gap wait.
 */
let host: GatewayHost;
let upstream: DevModelServer;
let alice: ServerCaller;
let client: OpenAI;
const nodes: NodeProcess[] = [];
let chat: { id: string; slug: string };
let embed: { id: string; slug: string };

async function readyEndpoint(modelId: string) {
  const created = await alice.endpoint.create({ modelId, durationHours: 1, idleMinutes: null, gpu: "a10", mode: "provider" });
  // Waits on the endpoint's own status, as its page does (bounded by the hook's timeout).
  for (let status = ""; status !== "ready"; ) {
    status = (await alice.endpoint.get({ id: created.id })).status;
    if (status === "failed") throw new Error(`the endpoint ${modelId} failed: ${(await alice.endpoint.get({ id: created.id })).message}`);
    if (status !== "ready") await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { id: created.id, slug: created.slug };
}

const requestsOf = (endpointId: string) => host.skyloom.services.endpoints.metrics(teamId, endpointId, { sinceMs: 0, bucketMs: 3_600_000 }).totals;
let teamId = "";

beforeAll(async () => {
  upstream = await startDevModelServer({ chunkDelayMs: 40 });
  host = await startGatewayHost({ SKYLOOM_MARKETPLACE_NODES: "0" }, { marketplace: { nodes: [], matchmaker: { heartbeatIntervalMs: 200, heartbeatTimeoutMs: 10_000, bidWindowMs: 1_500, failoverRetryMs: 300 } } });
  alice = await host.person("alice@example.com");
  teamId = (await alice.team.list()).find((t) => t.active)!.id;
  const { token: joinToken } = await alice.node.joinTokens.create({ name: "test nodes" });
  for (const [name, percent] of [["cheap", "50"], ["dear", "90"]] as const) {
    nodes.push(await startNodeProcess(`${host.url}/market/v1`, ["--kind", "provider", "--name", name, "--gpu", "a10:2", "--price-percent", percent, "--serve-openai", upstream.baseUrl], { token: joinToken }));
  }
  client = host.openai((await alice.apiKey.create({ name: "backend", kind: "secret" })).token);
  chat = await readyEndpoint("Qwen/Qwen2.5-7B-Instruct");
  embed = await readyEndpoint("BAAI/bge-m3");
}, 90_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await host?.close();
  await upstream?.close();
});

describe("/v1 with an endpoint's slug as the model", () => {
  it("chat, streaming and embeddings answer through the endpoint's lease; /v1/models lists the endpoints", async () => {
    const answer = await client.chat.completions.create({ model: chat.slug, messages: [{ role: "user", content: "Say hello" }] });
    expect(answer.object).toBe("chat.completion");
    expect(answer.choices[0]?.message.content?.length).toBeGreaterThan(0);

    const stream = await client.chat.completions.create({ model: chat.slug, stream: true, messages: [{ role: "user", content: "Stream please" }] });
    let streamed = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      streamed += chunk.choices[0]?.delta.content ?? "";
    }
    expect(chunks).toBeGreaterThan(2);
    expect(streamed.length).toBeGreaterThan(0);

    const embedded = await client.embeddings.create({ model: embed.slug, input: ["a cat", "a dog"] });
    expect(embedded.data).toHaveLength(2);
    expect(embedded.data[0]?.embedding.length).toBeGreaterThan(0);

    const listed = (await client.models.list()).data.map((m) => m.id);
    expect(listed).toEqual(expect.arrayContaining([chat.slug, embed.slug]));
    expect((await client.models.retrieve(chat.slug)).owned_by).toBe("skyloom-endpoint");
  });

  it("records each request for the endpoint's metrics, with tokens", async () => {
    const totals = requestsOf(chat.id);
    expect(totals.requests).toBeGreaterThanOrEqual(2);
    expect(totals.completionTokens).toBeGreaterThan(0);
    expect(requestsOf(embed.id).requests).toBeGreaterThanOrEqual(1);
  });

  it("errors keep OpenAI's shape: an unknown model, a body over the limit, another team's slug", async () => {
    await expect(client.embeddings.create({ model: "no-such-endpoint", input: "x" })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    await expect(client.chat.completions.create({ model: chat.slug, messages: [{ role: "user", content: "x".repeat(1_100_000) }] })).rejects.toMatchObject({ status: 413, code: "request_too_large" });
    const bob = await host.person("bob@example.com");
    const bobClient = host.openai((await bob.apiKey.create({ name: "bob", kind: "secret" })).token);
    await expect(bobClient.chat.completions.create({ model: chat.slug, messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  });

  it("kill -9 of the serving node mid-stream: the stream ends with an error event, queued requests wait and succeed on the other node", async () => {
    const before = await alice.endpoint.get({ id: chat.id });
    const victim = nodes.find((n) => n.name === before.node?.name)!;
    const survivor = nodes.find((n) => n !== victim)!;
    const stream = await client.chat.completions.create({ model: chat.slug, stream: true, messages: [{ role: "user", content: "Tell me a long story" }] });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    victim.child.kill("SIGKILL");
    await expect((async () => { for (;;) if ((await iterator.next()).done) return "ended cleanly"; })()).rejects.toThrow();

    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => client.chat.completions.create({ model: chat.slug, messages: [{ role: "user", content: "still there?" }] })));
    expect(answers.every((a) => (a.choices[0]?.message.content ?? "").length > 0)).toBe(true);
    const after = await alice.endpoint.get({ id: chat.id });
    expect(after).toMatchObject({ id: chat.id, slug: chat.slug, status: "ready", node: { name: survivor.name } });
  }, 60_000);

  it("a stopped endpoint answers 503 saying so", async () => {
    await alice.endpoint.stop({ id: embed.id });
    await expect(client.embeddings.create({ model: embed.slug, input: "x" })).rejects.toMatchObject({ status: 503, code: "endpoint_unavailable", message: expect.stringMatching(/stopped; start it on its page/) });
  });
});
