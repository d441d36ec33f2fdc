import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeepAliveFetch } from "#agents/runtime/keep-alive-fetch.server";

let server: Server;
let base: string;
const seen: { method?: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, headers: req.headers, body });
      if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": "r1" });
        res.write("data: one\n\n");
        setTimeout(() => res.end("data: two\n\n"), 20);
      } else if (req.url === "/gzip") {
        res.writeHead(200, { "content-encoding": "gzip", "content-type": "application/json" });
        res.end(gzipSync(JSON.stringify({ ok: true })));
      } else if (req.url === "/redirect") {
        res.writeHead(307, { location: "/stream" });
        res.end();
      } else if (req.url === "/empty") {
        res.writeHead(204);
        res.end();
      } else if (req.url === "/slow") {
        setTimeout(() => res.end("late"), 2_000);
      } else {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "bad key" } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("keep-alive fetch for the model client", () => {
  const keepAliveFetch = createKeepAliveFetch();

  it("sends method, headers and body, and streams the answer like fetch", async () => {
    const res = await keepAliveFetch(`${base}/stream`, { method: "post", headers: new Headers({ authorization: "Bearer k", "content-type": "application/json" }), body: '{"a":"é"}' });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get("x-request-id")).toBe("r1");
    expect(await res.text()).toBe("data: one\n\ndata: two\n\n");
    const request = seen.at(-1);
    expect(request).toMatchObject({ method: "POST", body: '{"a":"é"}', headers: { authorization: "Bearer k", "content-length": "10" } });
  });

  it("answers error statuses as responses, decodes gzip, follows redirects and has no body for 204", async () => {
    const denied = await keepAliveFetch(`${base}/nope`, { method: "POST", body: "{}" });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error: { message: "bad key" } });
    expect(await (await keepAliveFetch(`${base}/gzip`)).json()).toEqual({ ok: true });
    const redirected = await keepAliveFetch(`${base}/redirect`);
    expect(await redirected.text()).toBe("data: one\n\ndata: two\n\n");
    const empty = await keepAliveFetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it("fails like fetch: a TypeError with the cause for a network error, the AbortError on abort", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = await keepAliveFetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).toBe("fetch failed");
    expect(String((failure as { cause?: Error }).cause?.message)).toContain("ECONNREFUSED");

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(keepAliveFetch(`${base}/slow`, { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
  });
});
