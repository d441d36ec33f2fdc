import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";

let server: DevModelServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startDevModelServer();
  client = new OpenAI({ baseURL: server.baseUrl, apiKey: "anything", maxRetries: 0 });
});
afterAll(() => server.close());

describe("local development model over the real OpenAI-compatible path", () => {
  it("answers deterministically and says it is not a language model", async () => {
    const ask = () => client.chat.completions.create({ model: "skyloom-dev", messages: [{ role: "user", content: "Hello there" }] });
    const [a, b] = [await ask(), await ask()];
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content);
    expect(a.choices[0]?.message.content).toContain('You said: "Hello there"');
    expect(a.choices[0]?.message.content).toContain("not a language model");
    expect(a.usage?.completion_tokens).toBeGreaterThan(0);
    expect(a.id).not.toBe(b.id);
  });

  it("streams, with a unique id per completion and usage on request", async () => {
    const ids = new Set<string>();
    let text = "";
    let usage = 0;
    const stream = await client.chat.completions.create({
      model: "skyloom-dev",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream please" }],
    });
    let chunks = 0;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? "";
      usage += chunk.usage?.total_tokens ?? 0;
    }
    expect(chunks).toBeGreaterThan(5);
    expect(ids.size).toBe(1);
    expect(text).toContain('You said: "stream please"');
    expect(usage).toBeGreaterThan(0);
    const again = await client.chat.completions.create({ model: "skyloom-dev", stream: true, messages: [{ role: "user", content: "x" }] });
    for await (const chunk of again) expect(ids.has(chunk.id)).toBe(false);
  });

  it("calls a tool the message names, with arguments taken from the message, then reports the result", async () => {
    const tools = [
      {
        type: "function" as const,
        function: { name: "calculator", description: "math", parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] } },
      },
    ];
    const first = await client.chat.completions.create({ model: "skyloom-dev", tools, messages: [{ role: "user", content: "calculator: what is 6 * 7?" }] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" ? call.function : undefined).toEqual({ name: "calculator", arguments: '{"expression":"6 * 7"}' });
    const second = await client.chat.completions.create({
      model: "skyloom-dev",
      tools,
      messages: [
        { role: "user", content: "calculator: what is 6 * 7?" },
        { role: "assistant", content: null, tool_calls: first.choices[0]?.message.tool_calls },
        { role: "tool", tool_call_id: call?.id ?? "", content: "42" },
      ],
    });
    expect(second.choices[0]?.message.content).toContain("Tool results: tool returned 42");
    // A message that names no tool gets a plain answer.
    const plain = await client.chat.completions.create({ model: "skyloom-dev", tools, messages: [{ role: "user", content: "hello" }] });
    expect(plain.choices[0]?.message.tool_calls).toBeUndefined();
  });

  it("streams tool-call arguments in parts, as real servers do", async () => {
    const stream = await client.chat.completions.create({
      model: "skyloom-dev",
      stream: true,
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { query: { type: "string" } } } } }],
      messages: [{ role: "user", content: "lookup the weather" }],
    });
    const parts: string[] = [];
    for await (const chunk of stream) for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) parts.push(tc.function?.arguments ?? "");
    expect(parts.length).toBe(2);
    expect(JSON.parse(parts.join(""))).toEqual({ query: "lookup the weather" });
  });

  it("lists its model and answers bad requests in OpenAI's error shape", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["skyloom-dev"]);
    const res = await fetch(`${server.baseUrl}/chat/completions`, { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: "The body is not valid JSON.", type: "invalid_request_error", param: null, code: null } });
  });
});

describe("local development model's /v1/embeddings", () => {
  it("answers the official openai SDK with deterministic 384-d unit vectors and says they are not semantic", async () => {
    const first = await client.embeddings.create({ model: "anything", input: ["The llama eats grass", "grass eats the LLAMA", "quarterly tax report"] });
    const again = await client.embeddings.create({ model: "anything", input: "The llama eats grass" });
    expect(first.model).toBe("skyloom-dev-embeddings-not-semantic");
    expect((first as unknown as { semantic: boolean }).semantic).toBe(false);
    const [a, b, c] = first.data.map((d) => d.embedding);
    expect(a?.length).toBe(384);
    expect(again.data[0]?.embedding).toEqual(a);
    const dot = (x: number[], y: number[]) => x.reduce((sum, v, i) => sum + v * (y[i] as number), 0);
    expect(dot(a as number[], a as number[])).toBeCloseTo(1, 5);
    // Same words in another order and case: the same bag, so the same vector.
    expect(dot(a as number[], b as number[])).toBeCloseTo(1, 5);
    expect(dot(a as number[], c as number[])).toBeLessThan(0.3);
  });

  it("answers floats when asked, and refuses input that is not text", async () => {
    const res = await fetch(`${server.baseUrl}/embeddings`, { method: "POST", body: JSON.stringify({ input: "hello", encoding_format: "float" }) });
    const body = (await res.json()) as { data: { embedding: number[] }[] };
    expect(body.data[0]?.embedding.length).toBe(384);
    const bad = await fetch(`${server.baseUrl}/embeddings`, { method: "POST", body: JSON.stringify({ input: [1, 2] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/input must be a string/);
  });
});
