import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { startLeaseServer, MAX_LOG_LINES_PER_REPORT, type LeaseServer } from "#server/marketplace/node/lease-server";
import { HeartbeatSchema } from "#server/marketplace/protocol";

/** A node's lease server in front of the local development model, as a node runs it. */
let model: DevModelServer;
let lease: LeaseServer;
const KEY = "lease-access-token";

beforeAll(async () => {
  model = await startDevModelServer();
  lease = await startLeaseServer({ leaseId: "lse_test", accessToken: KEY, models: ["qwen-test"], backend: { baseUrl: model.baseUrl, label: "dev model" } });
});

afterAll(async () => {
  await lease?.close();
  await model?.close();
});

const post = (base: string, path: string, body: object, key?: string) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) });

describe("the lease server", () => {
  it("passes a streamed answer on as the backend sent it, with the lease's model name checked", async () => {
    const ask = { messages: [{ role: "user", content: "Tell me about streams" }], stream: true, stream_options: { include_usage: true } };
    const through = await post(lease.uri, "/chat/completions", { ...ask, model: "qwen-test" }, KEY);
    expect(through.status).toBe(200);
    expect(through.headers.get("content-type")).toBe("text/event-stream");
    const events = (await through.text()).split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    const text = events.flatMap((e) => (e === "data: [DONE]" ? [] : [(JSON.parse(e.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? ""])).join("");
    expect(text).toContain("streams");
    const wrong = await post(lease.uri, "/chat/completions", { ...ask, model: "another" }, KEY);
    expect(wrong.status).toBe(404);
    expect(await wrong.json()).toMatchObject({ error: { message: 'This endpoint serves qwen-test, not "another".' } });
    expect((await post(lease.uri, "/chat/completions", ask, "wrong-key")).status).toBe(401);
  });

  it("a whole answer keeps the backend's length: one write, no chunked framing", async () => {
    const res = await post(lease.uri, "/chat/completions", { model: "qwen-test", messages: [{ role: "user", content: "Hello there" }] }, KEY);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get("transfer-encoding")).toBeNull();
    expect(Number(res.headers.get("content-length"))).toBe(body.length);
    expect(JSON.parse(body.toString("utf8"))).toMatchObject({ object: "chat.completion", model: "qwen-test", choices: [{ message: { role: "assistant" } }] });
  });

  it("a busy lease's log lines still fit one heartbeat: the rest are counted, and the metrics count every request", async () => {
    lease.drainLogs();
    const before = lease.metrics().requests;
    const requests = 600; // more than a report may carry (500)
    for (let i = 0; i < requests; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => post(lease.uri, "/chat/completions", { model: "qwen-test", messages: [{ role: "user", content: "hi" }], max_tokens: 2 }, KEY).then((r) => r.arrayBuffer())));
    }
    const logs = lease.drainLogs();
    expect(logs).toHaveLength(MAX_LOG_LINES_PER_REPORT);
    expect(logs.at(-1)?.line).toBe(`… and ${requests - MAX_LOG_LINES_PER_REPORT + 1} more lines (over ${MAX_LOG_LINES_PER_REPORT} between two reports; the metrics count every request)`);
    const beat = { leases: { lse_test: { services: [], metrics: lease.metrics(), logs } } };
    expect(HeartbeatSchema.safeParse(beat).success).toBe(true);
    expect(lease.metrics().requests - before).toBe(requests);
    expect(lease.drainLogs()).toEqual([]);
  });
});

describe("a client that leaves mid-answer", () => {
  it("ends the lease server's request to the backend too (no answer left running for nobody)", async () => {
    // A backend that sends the start of a stream and then holds it open, telling when its client left.
    let backendClosed!: () => void;
    const closed = new Promise<void>((resolve) => (backendClosed = resolve));
    const backend = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n');
      res.once("close", () => backendClosed());
    });
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    const held = await startLeaseServer({ leaseId: "lse_held", accessToken: KEY, models: ["qwen-test"], backend: { baseUrl: `http://127.0.0.1:${(backend.address() as AddressInfo).port}/v1`, label: "held" } });
    try {
      const client = new AbortController();
      const res = await fetch(`${held.uri}/chat/completions`, { method: "POST", signal: client.signal, headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` }, body: JSON.stringify({ model: "qwen-test", messages: [], stream: true }) });
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('"hi"');
      client.abort();
      await closed;
    } finally {
      await held.close();
      backend.closeAllConnections();
      await new Promise((resolve) => backend.close(resolve));
    }
  });
});
