import { afterEach, describe, expect, test } from "vitest";
import { sessions, users } from "#db/schema";
import { createTestBackend, type TestBackend } from "../support/harness";
import { outcomeOf } from "../support/trpc-errors";

let backend: TestBackend;
afterEach(() => backend?.close());

const codeOf = outcomeOf;

describe("sign up", () => {
  test("creates the account, a personal team and a session; stores hashes only", async () => {
    backend = await createTestBackend();
    const ada = await backend.signedUpClient("Ada@Example.com ", "Ada");
    expect((await ada.trpc.auth.me())?.user.email).toBe("ada@example.com");

    const [user] = backend.db.select().from(users).all();
    expect(user?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(user?.passwordHash).not.toContain("correct-horse-battery");
    const [session] = backend.db.select().from(sessions).all();
    expect(session?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(session?.tokenHash).not.toBe(ada.token);
  });

  test("a taken email, a weak password and a bad email get clear errors", async () => {
    backend = await createTestBackend();
    await backend.signedUpClient("ada@example.com");
    const c = backend.client();
    expect(await codeOf(c.trpc.auth.signup({ email: "ADA@example.com", password: "correct-horse-battery" }))).toBe(
      "CONFLICT: An account with this email already exists; log in instead.",
    );
    expect(await codeOf(c.trpc.auth.signup({ email: "bob@example.com", password: "short" }))).toBe(
      "BAD_REQUEST: password: Use at least 10 characters for the password",
    );
    expect(await codeOf(c.trpc.auth.signup({ email: "bob@example.com", password: "password123" }))).toMatch(/too common/);
    expect(await codeOf(c.trpc.auth.signup({ email: "bob@example.com", password: "aaaaaaaaaaaa" }))).toMatch(/repeats too few/);
    expect(await codeOf(c.trpc.auth.signup({ email: "not-an-email", password: "correct-horse-battery" }))).toMatch(
      /^BAD_REQUEST: email: Enter a valid email address/,
    );
    expect(backend.db.select().from(users).all()).toHaveLength(1);
  });
});

describe("log in and out", () => {
  test("a wrong password is refused; the right one logs in; logout ends the session", async () => {
    backend = await createTestBackend();
    await backend.signedUpClient("ada@example.com");
    const browser = backend.client();
    expect(await codeOf(browser.trpc.auth.login({ email: "ada@example.com", password: "wrong-password!" }))).toBe(
      "UNAUTHORIZED: Wrong email or password.",
    );
    expect(await codeOf(browser.trpc.auth.login({ email: "nobody@example.com", password: "wrong-password!" }))).toBe(
      "UNAUTHORIZED: Wrong email or password.",
    );
    await browser.trpc.auth.login({ email: " ADA@example.com", password: "correct-horse-battery" });
    expect((await browser.trpc.auth.me())?.user.email).toBe("ada@example.com");

    const stolenToken = browser.token;
    await browser.trpc.auth.logout();
    expect(await browser.trpc.auth.me()).toBeNull();
    expect(stolenToken).toBeDefined();
    expect(await codeOf(browser.trpc.flow.list())).toBe("UNAUTHORIZED: Log in first.");
  });
});
