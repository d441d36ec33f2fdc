import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request as playwrightRequest } from "@playwright/test";
import { expect, test, TEST_PASSWORD, uniqueEmail } from "./support/fixtures";
import { startBuiltServer } from "./support/server";

const trpcPost = (path: string) => `/api/trpc/${path}`;

test("healthz answers from the database; pages carry security headers", async ({ request }) => {
  const health = await request.get("/healthz");
  expect(health.status()).toBe(200);
  // Billing's devnet (npm start's default) is up and its watcher keeps up with the chain.
  expect(await health.json()).toMatchObject({ status: "ok", runStorage: { waiting: 0, lost: 0, lastError: null }, billing: { status: "ok", devnet: true, error: null } });

  const login = await request.get("/login");
  expect(login.status()).toBe(200);
  expect(login.headers()["x-content-type-options"]).toBe("nosniff");
  expect(login.headers()["x-frame-options"]).toBe("DENY");
  expect(login.headers()["x-powered-by"]).toBeUndefined();
});

test("the session cookie is httpOnly and SameSite; pages need it", async ({ request }) => {
  const anonymous = await request.get("/", { maxRedirects: 0 });
  expect(anonymous.status()).toBe(302);
  expect(anonymous.headers()["location"]).toBe("/login");

  const signup = await request.post(trpcPost("auth.signup"), {
    data: { email: uniqueEmail("cookie"), password: TEST_PASSWORD },
  });
  expect(signup.status()).toBe(200);
  const cookie = signup.headers()["set-cookie"] ?? "";
  expect(cookie).toMatch(/^skyloom_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
  expect((await request.get("/", { maxRedirects: 0 })).status()).toBe(200);
});

test("bad input gets a 4xx that says what to fix", async ({ request }) => {
  const weak = await request.post(trpcPost("auth.signup"), { data: { email: uniqueEmail(), password: "short" } });
  expect(weak.status()).toBe(400);
  const body = (await weak.json()) as { error: { message: string; data: { fieldErrors: Record<string, string[]> } } };
  expect(body.error.message).toBe("password: Use at least 10 characters for the password");
  expect(body.error.data.fieldErrors.password).toEqual(["Use at least 10 characters for the password"]);
  expect(JSON.stringify(body)).not.toContain("stack");

  const huge = await request.post(trpcPost("flow.create"), {
    headers: { "content-type": "application/json" },
    data: JSON.stringify({ name: "x".repeat(7 * 1024 * 1024) }),
  });
  expect(huge.status()).toBe(413);
});

test("the embedded default seeds the demo account; an operator's database does not", async () => {
  const seeded = await startBuiltServer();
  const dir = mkdtempSync(join(tmpdir(), "skyloom-operator-"));
  const operator = await startBuiltServer({ DATABASE_URL: `file:${join(dir, "ops.db")}` });
  try {
    const demo = { email: "demo@skyloom.local", password: "skyloom-demo-2026" };
    const a = await playwrightRequest.newContext({ baseURL: seeded.url });
    expect((await a.post(trpcPost("auth.login"), { data: demo })).status()).toBe(200);
    const flows = await a.get(trpcPost("flow.list"));
    expect(JSON.stringify(await flows.json())).toContain("Hello agent");
    expect(statSync(join(seeded.dataDir, "secret.key")).mode & 0o777).toBe(0o600);

    const b = await playwrightRequest.newContext({ baseURL: operator.url });
    expect((await b.post(trpcPost("auth.login"), { data: demo })).status()).toBe(401);
  } finally {
    await seeded.stop();
    await operator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bad setting stops the start with a message naming the variable", async () => {
  await expect(startBuiltServer({ PORT: "eighty" })).rejects.toThrow(/Invalid configuration: PORT/);
  await expect(startBuiltServer({ SKYLOOM_SECRET_KEY: "nope" })).rejects.toThrow(/SKYLOOM_SECRET_KEY must be 64 hex/);
});

test("flows persist across a server restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "skyloom-restart-"));
  try {
    const first = await startBuiltServer({}, { dataDir });
    const api = await playwrightRequest.newContext({ baseURL: first.url });
    const email = uniqueEmail("restart");
    await api.post(trpcPost("auth.signup"), { data: { email, password: TEST_PASSWORD } });
    await api.post(trpcPost("flow.create"), { data: { name: "Survives restarts" } });
    await first.stop();

    const second = await startBuiltServer({}, { dataDir });
    try {
      const again = await playwrightRequest.newContext({ baseURL: second.url });
      expect((await again.post(trpcPost("auth.login"), { data: { email, password: TEST_PASSWORD } })).status()).toBe(200);
      expect(JSON.stringify(await (await again.get(trpcPost("flow.list"))).json())).toContain("Survives restarts");
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
