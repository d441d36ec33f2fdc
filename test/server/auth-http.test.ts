import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startSkyloom, type RunningSkyloom } from "#server/index";
import { signUp } from "#server/services/accounts";

/**
 * The login and sign-up limits against a started host over real HTTP: parallel requests,
 * tRPC batches and a spoofed X-Forwarded-For. Each test uses its own email and its own
 * loopback address.
 */
let skyloom: RunningSkyloom;
let dir: string;
let url: string;
const RIGHT = "correct-horse-battery";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "skyloom-auth-http-"));
  skyloom = await startSkyloom({ DATA_DIR: dir, PORT: "0", SEED_DEMO: "false", SKYLOOM_MARKETPLACE_NODES: "0" }, { pages: false });
  url = skyloom.url.replace("localhost", "127.0.0.1");
});
afterAll(async () => {
  await skyloom.close();
  rmSync(dir, { recursive: true, force: true });
});

type Answer = { status: number; setCookie: string | null; body: unknown };

/**
 * POST to /api/trpc from a chosen loopback address (all of 127.0.0.0/8 is this machine), so
 * each test has an address of its own and the per-address counts of one do not reach another.
 */
function post(from: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path: `/api/trpc/${path}`, method: "POST", localAddress: from, headers: { "content-type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, setCookie: res.headers["set-cookie"]?.join("\n") ?? null, body: JSON.parse(text) }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const messageOf = (answer: Answer) => (answer.body as { error?: { message?: string } }).error?.message;

async function account(email: string): Promise<void> {
  await signUp(skyloom.services.db, { email, password: RIGHT });
}

describe("login over HTTP", () => {
  test("20 parallel requests: 5 passwords are checked, the rest refused, and then the right one is refused too", async () => {
    await account("parallel@example.com");
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        // A different X-Forwarded-For on each: it is not trusted, so it changes nothing.
        post("127.0.0.11", "auth.login", { email: "parallel@example.com", password: `guess-number-${i}` }, { "x-forwarded-for": `198.51.100.${i}` }),
      ),
    );
    expect(answers.filter((a) => a.status === 401)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(15);
    // Claiming another address in X-Forwarded-For does not get round the lock on this one.
    const right = await post("127.0.0.11", "auth.login", { email: "parallel@example.com", password: RIGHT }, { "x-forwarded-for": "192.0.2.1" });
    expect(right.status).toBe(429);
    expect(messageOf(right)).toBe("Too many failed logins to this account from your address. Try again in 15 minutes.");
    expect(right.setCookie).toBeNull();
  });

  test("a batch of 20 logins is refused whole with a 400, checks no password, and the right one in it does not log in", async () => {
    await account("batch@example.com");
    const paths = Array(20).fill("auth.login").join(",");
    const inputs = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [i, { email: "batch@example.com", password: i === 19 ? RIGHT : `guess-number-${i}` }]),
    );
    const batch = await post("127.0.0.12", `${paths}?batch=1`, inputs);
    expect(batch.status).toBe(400);
    expect(batch.setCookie).toBeNull();
    const results = batch.body as { error: { message: string; data: { code: string } } }[];
    expect(results).toHaveLength(20);
    expect(results[19]?.error).toMatchObject({
      message: "auth.login cannot be batched with other calls; send each in a request of its own.",
      data: { code: "BAD_REQUEST" },
    });
    // No attempt was counted: five wrong passwords are still checked one by one, and the right one works.
    for (let i = 0; i < 4; i++) expect((await post("127.0.0.12", "auth.login", { email: "batch@example.com", password: `again-${i}-guess` })).status).toBe(401);
    const single = await post("127.0.0.12", "auth.login", { email: "batch@example.com", password: RIGHT });
    expect(single.status).toBe(200);
    expect(single.setCookie).toMatch(/^skyloom_session=/);
  });

  test("an auth mutation batched with another mutation is refused; a batch of one still works", async () => {
    await account("mixed@example.com");
    const mixed = await post("127.0.0.13", "auth.logout,auth.login?batch=1", { 1: { email: "mixed@example.com", password: RIGHT } });
    expect(mixed.status).toBe(400);
    expect(mixed.setCookie).toBeNull();
    expect(messageOf({ ...mixed, body: (mixed.body as unknown[])[0] })).toBe(
      "auth.logout, auth.login cannot be batched with other calls; send each in a request of its own.",
    );
    const one = await post("127.0.0.13", "auth.login?batch=1", { 0: { email: "mixed@example.com", password: RIGHT } });
    expect(one.status).toBe(200);
    expect(one.setCookie).toMatch(/^skyloom_session=/);
  });
});

describe("sign-up over HTTP", () => {
  test("20 parallel sign-ups from one address make 5 accounts; the rest are told when to try again", async () => {
    const answers = await Promise.all(
      // Each claims another address in X-Forwarded-For, which is not trusted.
      Array.from({ length: 20 }, (_, i) =>
        post("127.0.0.15", "auth.signup", { email: `signup${i}@example.com`, password: RIGHT }, { "x-forwarded-for": `198.51.100.${i}` }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(15);
    expect(new Set(refused.map(messageOf))).toEqual(new Set(["Too many sign-ups from this address; try again in 60 minutes."]));
  });

  test("a batch of sign-ups is refused", async () => {
    const batch = await post("127.0.0.16", "auth.signup,auth.signup?batch=1", {
      0: { email: "batch-a@example.com", password: RIGHT },
      1: { email: "batch-b@example.com", password: RIGHT },
    });
    expect(batch.status).toBe(400);
    expect(messageOf({ ...batch, body: (batch.body as unknown[])[1] })).toMatch(/^auth\.signup cannot be batched/);
  });
});
