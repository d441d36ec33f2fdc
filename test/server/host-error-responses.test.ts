import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { INTERNAL_ERROR_MESSAGE } from "#server/trpc/error-format";
import { startBuiltServer, type StartedServer } from "../e2e/support/server";
import { ensureBuild, signUpOverHttp } from "../support/built-host";
import { expectNoInternals } from "../support/no-internals";

// The built host as `npm start` runs it, with NODE_ENV unset as an operator would leave it.
let host: StartedServer;
let cookie: string;

beforeAll(async () => {
  ensureBuild();
  host = await startBuiltServer({ NODE_ENV: undefined, SEED_DEMO: "false" });
  cookie = await signUpOverHttp(host.url, "erin@example.com");
}, 300_000);

afterAll(async () => {
  await host?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${host.url}${path}`, { headers, redirect: "manual" });

test("npm start runs in production mode unless NODE_ENV says otherwise", () => {
  expect(host.log()).toMatch(/running at http:\/\/\S+ \(production mode,/);
});

describe("malformed URLs", () => {
  const urls = ["/flows/%E0%A4%A", "/%", "/%E0%A4%A.data", "/api/trpc/%E0", "/api/trpc/flow.get?input=%E0", "/v1/%E0", "/v1/models/%E0", "/assets/%E0", "/embed.js%E0"];

  test.each(urls)("%s answers 4xx or a redirect, without internals", async (url) => {
    for (const [who, headers] of [["anonymous", {}], ["logged in", { cookie }]] as const) {
      const response = await get(url, headers);
      expect(response.status, `${url} ${who}`).toBeLessThan(500);
      expectNoInternals(await response.text(), `${url} ${who}`);
    }
  });
});

describe("errors on the server", () => {
  let flowId: string;
  beforeAll(async () => {
    const created = await fetch(`${host.url}/api/trpc/flow.create`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "Broken" }),
    });
    flowId = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;
    // A stored graph that no longer matches the schema: reading it fails inside the server.
    const sqlite = new Database(join(host.dataDir, "skyloom.db"));
    sqlite.prepare("update flows set graph = ? where id = ?").run(JSON.stringify({ schemaVersion: 1, nodes: [{}] }), flowId);
    sqlite.close();
  });

  test("a loader's error shows the friendly error page; the details go to the server log", async () => {
    const response = await get(`/flows/${flowId}`, { cookie });
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toContain("Something went wrong");
    expect(html).not.toContain("Stored graph");
    expectNoInternals(html, "the page of a broken flow");
    expect(host.log()).toContain(`Stored graph of flow ${flowId}`);
  });

  test("the same loader's data request (client-side navigation) carries no details", async () => {
    const response = await get(`/flows/${flowId}.data`, { cookie });
    const body = await response.text();
    expect(body).toContain("Unexpected Server Error");
    expect(body).not.toContain("Stored graph");
    expectNoInternals(body, "the data request of a broken flow");
  });

  test("tRPC answers an internal error with a fixed message and no stack", async () => {
    const response = await get(`/api/trpc/flow.get?input=${encodeURIComponent(JSON.stringify({ id: flowId }))}`, { cookie });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { message: string; data: { code: string; stack?: string } } };
    expect(body.error.message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(body.error.data.code).toBe("INTERNAL_SERVER_ERROR");
    expect(body.error.data.stack).toBeUndefined();
    expectNoInternals(JSON.stringify(body), "tRPC flow.get of a broken flow");
  });
});
