import { describe, expect, it } from "vitest";
import { parseChatRequest } from "#server/gateway/chat-request";
import { KeyRateLimiter } from "#server/gateway/rate-limit";
import { blockRegistry, memoryKeysOf } from "#agents/blocks/index";
import { hashApiKey, looksLikeApiKey, normalizeOrigin } from "#server/services/api-keys";
import { slugify, SLUG_PATTERN } from "#server/services/publishing";
import { utcDay } from "#server/services/usage";
import { memoryAgentGraph } from "./support";

describe("KeyRateLimiter", () => {
  it("lets a key spend its minute at once, then refills one request every 60/limit seconds", () => {
    let now = 1_000_000;
    const limiter = new KeyRateLimiter(() => now);
    expect(limiter.take("k", 3)).toEqual({ allowed: true, remaining: 2 });
    expect(limiter.take("k", 3)).toEqual({ allowed: true, remaining: 1 });
    expect(limiter.take("k", 3)).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.take("k", 3)).toEqual({ allowed: false, retryAfterSeconds: 20 });
    now += 19_000;
    expect(limiter.take("k", 3)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(limiter.take("k", 3).allowed).toBe(true);
    // Keys do not share buckets.
    expect(limiter.take("other", 3).allowed).toBe(true);
  });
});

describe("API key helpers", () => {
  it("hashes with the server secret: same key and secret give the same hash, another secret another", () => {
    const token = `sky_sk_${"a".repeat(43)}`;
    expect(looksLikeApiKey(token)).toBe(true);
    expect(looksLikeApiKey("sk-openai-style")).toBe(false);
    const a = hashApiKey(Buffer.alloc(32, 1), token);
    expect(a).toBe(hashApiKey(Buffer.alloc(32, 1), token));
    expect(a).not.toBe(hashApiKey(Buffer.alloc(32, 2), token));
  });

  it("accepts origins only as scheme://host[:port]", () => {
    expect(normalizeOrigin("https://Shop.example/")).toBe("https://shop.example");
    expect(normalizeOrigin("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(normalizeOrigin("https://shop.example/path")).toBeNull();
    expect(normalizeOrigin("*")).toBeNull();
    expect(normalizeOrigin("ftp://shop.example")).toBeNull();
  });
});

describe("slugs", () => {
  it("turns any flow name into a valid slug", () => {
    expect(slugify("My Support Bot!")).toBe("my-support-bot");
    expect(slugify("Ünïcode Agent")).toBe("unicode-agent");
    expect(slugify("42")).toBe("agent-42");
    for (const name of ["", "--", "x", "A".repeat(200), "123 go"]) expect(slugify(name)).toMatch(SLUG_PATTERN);
  });
});

describe("chat request parsing", () => {
  it("takes the last user message as input and earlier ones as history", () => {
    const parsed = parseChatRequest({
      model: "bot",
      messages: [
        { role: "developer", content: "be nice" },
        { role: "user", content: [{ type: "text", text: "hi" }] },
        { role: "assistant", content: "hello" },
        { role: "user", content: "and now?" },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
    });
    expect(parsed).toMatchObject({ model: "bot", stream: true, includeUsage: true, input: "and now?" });
    expect(parsed.history).toEqual([
      { role: "system", content: "be nice" },
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
    ]);
  });

  it("names the field that is wrong", () => {
    const paramOf = (body: unknown) => {
      try {
        parseChatRequest(body);
      } catch (error) {
        return (error as { param: string | null }).param;
      }
      return "no error";
    };
    expect(paramOf({ messages: [{ role: "user", content: "x" }] })).toBe("model");
    expect(paramOf({ model: "m", messages: [] })).toBe("messages");
    expect(paramOf({ model: "m", messages: [{ role: "user", content: 5 }] })).toBe("messages[0].content");
    expect(paramOf({ model: "m", messages: [{ role: "user", content: "  " }] })).toBe("messages[0].content");
    expect(paramOf({ model: "m", messages: [{ role: "user", content: "x" }], n: 2 })).toBe("n");
    expect(paramOf([])).toBeNull();
  });
});

describe("memory keys and days", () => {
  it("finds each Conversation Memory's key", () => {
    expect(memoryKeysOf(memoryAgentGraph(), blockRegistry)).toEqual(["memory"]);
  });
  it("counts usage by UTC day", () => {
    expect(utcDay(Date.UTC(2026, 0, 2, 23, 59))).toBe("2026-01-02");
  });
});
