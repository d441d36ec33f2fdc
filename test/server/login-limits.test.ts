import { afterEach, describe, expect, test } from "vitest";
import { sessions, users } from "#db/schema";
import { addressKey, DEFAULT_LOGIN_LIMITS, LoginLimiter, retryPhrase, type LoginLimits } from "#server/services/login-limiter";
import { SignupLimiter } from "#server/services/signup-limiter";
import { createTestBackend, type TestBackend } from "../support/harness";
import { outcomeOf } from "../support/trpc-errors";

let backend: TestBackend;
afterEach(() => backend?.close());

const RIGHT = "correct-horse-battery";

/** A backend whose limiters read a clock the test moves. */
async function backendWithClock(limits: Partial<LoginLimits> = {}) {
  const clock = { now: 1_000_000 };
  backend = await createTestBackend({
    adapters: {
      loginLimiter: new LoginLimiter({ ...DEFAULT_LOGIN_LIMITS, ...limits }, () => clock.now),
      signupLimiter: new SignupLimiter(5, () => clock.now),
    },
  });
  return clock;
}

const login = (ip: string, email: string, password: string) =>
  outcomeOf(backend.client(ip).trpc.auth.login({ email, password }));

describe("login limits", () => {
  test("a stranger failing on purpose locks only their own address; the owner elsewhere waits a second", async () => {
    const clock = await backendWithClock();
    await backend.signedUpClient("ada@example.com");
    for (let i = 0; i < 5; i++) {
      expect(await login("203.0.113.9", "ada@example.com", `guess-number-${i}`)).toBe("UNAUTHORIZED: Wrong email or password.");
    }
    // Even the right password is refused from the stranger's address, for the whole window.
    expect(await login("203.0.113.9", "ada@example.com", RIGHT)).toBe(
      "TOO_MANY_REQUESTS: Too many failed logins to this account from your address. Try again in 15 minutes.",
    );
    // The owner, from another address, is asked to wait a moment, not a quarter of an hour.
    expect(await login("198.51.100.7", "ada@example.com", RIGHT)).toBe(
      "TOO_MANY_REQUESTS: Too many failed logins to this account. Try again in 1 second.",
    );
    clock.now += 1000;
    expect(await login("198.51.100.7", "ada@example.com", RIGHT)).toBe("no error");
    // The stranger's address is still locked.
    expect(await login("203.0.113.9", "ada@example.com", RIGHT)).toMatch(/^TOO_MANY_REQUESTS: .* from your address\. Try again in 15 minutes\.$/);
  });

  test("failures from many addresses slow one email down, doubling up to a 30-second cap", async () => {
    const clock = await backendWithClock();
    await backend.signedUpClient("ada@example.com");
    const waits: string[] = [];
    for (let i = 0; i < 12; i++) {
      const address = `203.0.113.${i + 1}`;
      const outcome = await login(address, "ada@example.com", `guess-number-${i}`);
      if (outcome.startsWith("TOO_MANY_REQUESTS")) {
        waits.push(outcome.replace(/^.*Try again in /, ""));
        // Refused attempts are not counted: hammering during the wait does not lengthen it.
        for (let j = 0; j < 10; j++) await login(`192.0.2.${j}`, "ada@example.com", "hammering-guess");
        clock.now += 30_000;
        i -= 1;
        continue;
      }
      expect(outcome).toBe("UNAUTHORIZED: Wrong email or password.");
      clock.now += 100;
    }
    expect(waits).toEqual(["1 second.", "2 seconds.", "4 seconds.", "8 seconds.", "16 seconds.", "30 seconds.", "30 seconds."]);
    // The owner waits out the current delay (at most the cap) and gets in.
    const owner = await login("198.51.100.7", "ada@example.com", RIGHT);
    expect(owner).toBe("TOO_MANY_REQUESTS: Too many failed logins to this account. Try again in 30 seconds.");
    clock.now += 30_000;
    expect(await login("198.51.100.7", "ada@example.com", RIGHT)).toBe("no error");
  });

  test("one address spraying many emails is stopped after its failures; successes do not use its allowance", async () => {
    // Three instead of 30 failures an address, to keep the password hashing short.
    await backendWithClock({ perAddress: 3 });
    await backend.signedUpClient("ada@example.com");
    for (let i = 0; i < 5; i++) expect(await login("203.0.113.5", "ada@example.com", RIGHT)).toBe("no error");
    for (let i = 0; i < 3; i++) {
      expect(await login("203.0.113.5", `person${i}@example.com`, "guess-guess-guess")).toBe("UNAUTHORIZED: Wrong email or password.");
    }
    expect(await login("203.0.113.5", "someone@example.com", "guess-guess-guess")).toBe(
      "TOO_MANY_REQUESTS: Too many failed logins from your address. Try again in 15 minutes.",
    );
    expect(await login("198.51.100.7", "someone@example.com", "guess-guess-guess")).toBe("UNAUTHORIZED: Wrong email or password.");
  });

  test("attempts sent together are counted before any password is checked: the right one, sent last, does not log in", async () => {
    await backendWithClock();
    await backend.signedUpClient("ada@example.com");
    const passwords = [...Array.from({ length: 19 }, (_, i) => `guess-number-${i}`), RIGHT];
    const outcomes = await Promise.all(passwords.map((password) => login("203.0.113.9", "ada@example.com", password)));
    expect(outcomes.filter((o) => o === "UNAUTHORIZED: Wrong email or password.")).toHaveLength(5);
    expect(outcomes.filter((o) => o.startsWith("TOO_MANY_REQUESTS"))).toHaveLength(15);
    expect(outcomes.at(-1)).toMatch(/^TOO_MANY_REQUESTS/);
    // Only the sign-up's session exists.
    expect(backend.db.select().from(sessions).all()).toHaveLength(1);
  });

  test("addresses are limited as the client connects: IPv4-mapped is IPv4, IPv6 counts by its /64", () => {
    expect(addressKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe(addressKey("2001:db8:1:2:bbbb::9"));
    expect(addressKey("2001:db8:1:2::1")).not.toBe(addressKey("2001:db8:1:3::1"));
    expect(retryPhrase(400)).toBe("1 second");
    expect(retryPhrase(59_000)).toBe("59 seconds");
    expect(retryPhrase(60_000)).toBe("1 minute");
    expect(retryPhrase(61_000)).toBe("2 minutes");
  });
});

describe("sign-up limits", () => {
  test("five sign-ups per address an hour, counted before the account is written; other addresses are not affected", async () => {
    const clock = await backendWithClock();
    const signup = (ip: string, i: number) =>
      outcomeOf(backend.client(ip).trpc.auth.signup({ email: `new${i}@example.com`, password: RIGHT }));
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => signup("203.0.113.9", i)));
    expect(outcomes.filter((o) => o === "no error")).toHaveLength(5);
    expect(new Set(outcomes.filter((o) => o !== "no error"))).toEqual(
      new Set(["TOO_MANY_REQUESTS: Too many sign-ups from this address; try again in 60 minutes."]),
    );
    expect(backend.db.select().from(users).all()).toHaveLength(5);
    // Another address has its own allowance; addresses in one IPv6 /64 share one.
    expect(await signup("198.51.100.7", 100)).toBe("no error");
    for (let i = 1; i <= 5; i++) expect(await signup(`2001:db8:1:2::${i}`, 200 + i)).toBe("no error");
    expect(await signup("2001:db8:1:2::ffff", 299)).toMatch(/^TOO_MANY_REQUESTS: Too many sign-ups from this address/);
    clock.now += 59 * 60 * 1000;
    expect(await signup("203.0.113.9", 102)).toBe("TOO_MANY_REQUESTS: Too many sign-ups from this address; try again in 1 minute.");
    clock.now += 60 * 1000;
    expect(await signup("203.0.113.9", 103)).toBe("no error");
  });
});
