import { describe, expect, it } from "vitest";
import { curlSnippet, nextKeyName } from "#app/components/publish/snippets";

describe("publish snippets", () => {
  const input = { baseUrl: "http://skyloom.lan:3000/v1", model: "orders" };

  it("curl asks for the whole answer by default, and streams with -N and stream: true", () => {
    const whole = curlSnippet(input);
    expect(whole).not.toContain("-N");
    expect(whole).not.toContain('"stream"');
    const streamed = curlSnippet({ ...input, stream: true, key: "sky_sk_abc" });
    expect(streamed.split("\n")[0]).toBe("curl -N http://skyloom.lan:3000/v1/chat/completions \\");
    expect(streamed).toContain(`-d '{"model": "orders", "stream": true, "messages": [{"role": "user", "content": "Hello!"}]}'`);
    expect(streamed).toContain('-H "Authorization: Bearer sky_sk_abc"');
    // The body stays valid JSON either way.
    for (const s of [whole, streamed]) expect(() => JSON.parse(/-d '(.*)'$/m.exec(s)?.[1] ?? "")).not.toThrow();
  });

  it("new keys for one agent get distinct names", () => {
    expect(nextKeyName("orders key", [])).toBe("orders key");
    expect(nextKeyName("orders key", ["orders key"])).toBe("orders key 2");
    expect(nextKeyName("orders key", ["orders key", "orders key 2", "orders widget"])).toBe("orders key 3");
  });
});
