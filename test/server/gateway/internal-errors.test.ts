import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import type { Db } from "#db/client";
import type { AgentRunner } from "#server/gateway/agent-runner";
import { createGateway } from "#server/gateway/index";
import { createTestBackend, type TestBackend } from "../../support/harness";
import { expectNoInternals } from "../../support/no-internals";
import { promptAgentGraph } from "./support";

// The gateway on plain node:http, as the host runs it, with parts that fail unexpectedly.
const PATHY = "SQLITE_IOERR: disk I/O error reading /work/skyloom/data/skyloom.db at Statement.run (node_modules/better-sqlite3/lib/methods/wrappers.js:9:14)";

let backend: TestBackend;
let key: string;
let slug: string;
const servers: Server[] = [];
const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});

beforeAll(async () => {
  backend = await createTestBackend();
  const alice = await backend.signedUpClient("alice@example.com");
  const flow = await alice.trpc.flow.create({ name: "Helper", graph: promptAgentGraph("Hi. {input}") });
  slug = (await alice.trpc.agent.publish({ flowId: flow.id })).slug;
  key = (await alice.trpc.apiKey.create({ name: "backend", kind: "secret" })).token;
});

afterEach(() => errorLog.mockClear());

afterAll(async () => {
  for (const server of servers) server.close();
  await backend?.close();
  errorLog.mockRestore();
});

async function serve(db: Db, runAgent: AgentRunner): Promise<string> {
  const gateway = createGateway({ ...backend.services, db }, { runAgent });
  const server = createServer(gateway).listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test("a run that throws answers OpenAI's server_error without the error's message", async () => {
  const url = await serve(backend.db, async () => {
    throw new Error(PATHY);
  });
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: slug, messages: [{ role: "user", content: "hello" }] }),
  });
  expect(response.status).toBe(500);
  const body = (await response.json()) as { error: { type: string; code: string } };
  expect(body.error).toMatchObject({ type: "server_error", code: "internal_error" });
  expectNoInternals(JSON.stringify(body), "POST /v1/chat/completions");
  expect(errorLog).toHaveBeenCalledWith("gateway POST /v1/chat/completions failed:", expect.objectContaining({ message: PATHY }));
});

test("a failure outside a keyed route (a preflight reading the database) answers 500 and the host keeps serving", async () => {
  const brokenDb = new Proxy(backend.db, {
    get() {
      throw new Error(PATHY);
    },
  });
  const url = await serve(brokenDb, async () => {
    throw new Error("not called");
  });
  const preflight = await fetch(`${url}/v1/chat/completions`, { method: "OPTIONS", headers: { origin: "https://shop.example.com" } });
  expect(preflight.status).toBe(500);
  expectNoInternals(await preflight.text(), "OPTIONS /v1/chat/completions");
  expect(errorLog).toHaveBeenCalledWith("gateway OPTIONS /v1/chat/completions failed:", expect.objectContaining({ message: PATHY }));
  // Still answering: the throw did not escape node:http's request listener.
  expect((await fetch(`${url}/v1/models`)).status).toBe(401);
});
