import { Agent, createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonPostTarget } from "#server/http/json-post";

/** Answers every request with what it received: path, authorization, body, and which connection carried it. */
const seen: { path: string; authorization: string | null; body: string; socket: number }[] = [];
const sockets = new WeakMap<object, number>();
let connections = 0;
const server = createServer((req: IncomingMessage, res) => {
  if (!sockets.has(req.socket)) sockets.set(req.socket, ++connections);
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    seen.push({ path: req.url ?? "", authorization: req.headers.authorization ?? null, body: Buffer.concat(chunks).toString("utf8"), socket: sockets.get(req.socket)! });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
let port: number;
beforeAll(() => new Promise<void>((resolve) => server.listen(0, "::1", () => ((port = (server.address() as AddressInfo).port), resolve()))));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function send(target: JsonPostTarget, path: string, body: string | Buffer, apiKey?: string): Promise<number> {
  const response = await target.post(path, body, apiKey).answered;
  response.resume();
  await new Promise((r) => response.on("end", r));
  return response.statusCode ?? 0;
}

describe("JsonPostTarget", () => {
  it("posts to the base URL's path (an IPv6 literal, a trailing slash), with the key when given, over kept-alive connections", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const target = new JsonPostTarget(`http://[::1]:${port}/v1/`, { http: agent });
    expect(await send(target, "/chat/completions", '{"model":"m"}', "sk-test")).toBe(200);
    expect(await send(target, "/embeddings", Buffer.from('{"input":"x"}'))).toBe(200);
    // Both on one connection: the second request reused the first one's.
    expect(seen).toEqual([
      { path: "/v1/chat/completions", authorization: "Bearer sk-test", body: '{"model":"m"}', socket: 1 },
      { path: "/v1/embeddings", authorization: null, body: '{"input":"x"}', socket: 1 },
    ]);
    agent.destroy();
  });

  it("rejects `answered` when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(new JsonPostTarget(`http://127.0.0.1:${freePort}/v1`, {}).post("/chat/completions", "{}").answered).rejects.toThrow(/ECONNREFUSED/);
  });
});
