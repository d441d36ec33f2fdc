import { describe, expect, it } from "vitest";
import { endpointSnippet, filterLogLines, joinCommand } from "#app/lib/marketplace/endpoint-snippets";

const base = { baseUrl: "http://127.0.0.1:3000/v1", slug: "qwen-7b-x1y2" };

describe("endpoint snippets", () => {
  it("call a chat model by its slug through /v1, with the key from the environment unless one was just created", () => {
    const curl = endpointSnippet("curl", { ...base, task: "chat" });
    expect(curl).toContain("http://127.0.0.1:3000/v1/chat/completions");
    expect(curl).toContain('"model": "qwen-7b-x1y2"');
    expect(curl).toContain("Bearer $SKYLOOM_API_KEY");
    const python = endpointSnippet("Python", { ...base, task: "chat", key: "sky_sk_new" });
    expect(python).toContain('api_key="sky_sk_new"');
    expect(python).not.toContain("import os");
    expect(endpointSnippet("JavaScript", { ...base, task: "chat" })).toContain("process.env.SKYLOOM_API_KEY");
  });

  it("call an embedding model through /v1/embeddings, with a valid JSON body", () => {
    const curl = endpointSnippet("curl", { ...base, task: "embeddings" });
    expect(curl).toContain("/v1/embeddings");
    expect(curl).not.toContain("chat/completions");
    expect(JSON.parse(/-d '(.*)'$/m.exec(curl)?.[1] ?? "")).toEqual({ model: "qwen-7b-x1y2", input: "Hello!" });
    expect(endpointSnippet("Python", { ...base, task: "embeddings" })).toContain('client.embeddings.create(model="qwen-7b-x1y2"');
    expect(endpointSnippet("JavaScript", { ...base, task: "embeddings", key: "k1" })).toContain('apiKey: "k1"');
  });

  it("give a node operator the whole join command", () => {
    expect(joinCommand({ joinUrl: "https://sky.example/", token: "skj_abc" })).toBe("skyloom node --kind fizz --join https://sky.example/ --token skj_abc");
    expect(joinCommand({ joinUrl: "http://h", token: "t", kind: "provider", serveOpenai: "http://localhost:11434/v1" })).toBe(
      "skyloom node --kind provider --join http://h --token t --serve-openai http://localhost:11434/v1",
    );
  });

  it("filter log lines by a case-insensitive search", () => {
    const lines = [{ line: "GET /v1/models 200" }, { line: "POST /v1/chat/completions 200" }, { line: "ready on :4100" }];
    expect(filterLogLines(lines, "  CHAT ")).toEqual([lines[1]]);
    expect(filterLogLines(lines, "")).toEqual(lines);
    expect(filterLogLines(lines, "nothing")).toEqual([]);
  });
});
