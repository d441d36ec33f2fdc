import { describe, expect, it } from "vitest";
import {
  chatModelBaseUrl,
  describeChatModelTarget,
  OPENAI_BASE_URL,
  presetForUrl,
  PROVIDER_PRESETS,
} from "#agents/catalog/providers";

describe("which base URL a Chat Model calls", () => {
  it("a credential with a key and no base URL means OpenAI", () => {
    expect(chatModelBaseUrl({ baseUrl: "" }, { baseUrl: undefined })).toBe("https://api.openai.com/v1");
    expect(chatModelBaseUrl({ baseUrl: "" }, { baseUrl: "" })).toBe(OPENAI_BASE_URL);
    // The OpenAI URL is injectable, so a test can point it at a local server.
    expect(chatModelBaseUrl({ baseUrl: "" }, {}, "http://127.0.0.1:9/v1")).toBe("http://127.0.0.1:9/v1");
  });

  it("the block's own base URL wins, then the credential's", () => {
    expect(chatModelBaseUrl({ baseUrl: "http://gpu.example/v1" }, { baseUrl: "https://api.groq.com/openai/v1" })).toBe("http://gpu.example/v1");
    expect(chatModelBaseUrl({ baseUrl: "" }, { baseUrl: "https://api.groq.com/openai/v1" })).toBe("https://api.groq.com/openai/v1");
    expect(chatModelBaseUrl({ baseUrl: "http://localhost:11434/v1" }, undefined)).toBe("http://localhost:11434/v1");
  });

  it("only a Chat Model with neither a base URL nor a credential falls back to the default model", () => {
    expect(chatModelBaseUrl({ baseUrl: "" }, undefined)).toBe("");
    expect(chatModelBaseUrl({ baseUrl: "   " }, undefined)).toBe("");
  });
});

describe("provider presets", () => {
  it("name the providers a new user looks for, with https URLs except Ollama on this machine", () => {
    expect(PROVIDER_PRESETS.map((p) => p.id)).toEqual(["openai", "openrouter", "groq", "together", "mistral", "ollama", "custom", "skyloom"]);
    for (const p of PROVIDER_PRESETS.filter((x) => x.baseUrl && x.id !== "ollama")) expect(new URL(p.baseUrl).protocol).toBe("https:");
    expect(PROVIDER_PRESETS.find((p) => p.id === "ollama")?.baseUrl).toBe("http://localhost:11434/v1");
  });

  it("Skyloom endpoints are announced, not faked: unavailable, with no URL and a plain reason", () => {
    const skyloom = PROVIDER_PRESETS.find((p) => p.id === "skyloom");
    expect(skyloom).toMatchObject({ available: false, baseUrl: "" });
    expect(skyloom?.title).toContain("coming with deployed endpoints");
    expect(skyloom?.note).toMatch(/Model Endpoint block/);
  });

  it("a URL maps back to its preset (trailing slash and case aside), any other URL to custom", () => {
    expect(presetForUrl("https://API.openai.com/v1/")?.id).toBe("openai");
    expect(presetForUrl("http://localhost:11434/v1")?.id).toBe("ollama");
    expect(presetForUrl("http://10.0.0.5:8000/v1")?.id).toBe("custom");
    expect(presetForUrl("")).toBeNull();
  });
});

describe("the sentence that says which model answers", () => {
  const devModel = { source: "dev-model" } as const;
  it("names the model, the host and the credential", () => {
    expect(
      describeChatModelTarget({ model: "gpt-4o-mini", baseUrl: "", credential: { name: "My OpenAI", baseUrl: "" }, defaultModel: devModel }),
    ).toBe("Answers with gpt-4o-mini at api.openai.com using credential “My OpenAI”.");
    expect(
      describeChatModelTarget({ model: "llama3.2", baseUrl: "http://localhost:11434/v1", credential: null, defaultModel: devModel }),
    ).toBe("Answers with llama3.2 at localhost:11434 without an API key.");
  });

  it("says plainly when the local development model answers", () => {
    expect(describeChatModelTarget({ model: "gpt-4o-mini", baseUrl: "", credential: null, defaultModel: devModel })).toBe(
      "Answers with Skyloom's local development model (not a language model) — add a credential to use a real model.",
    );
  });

  it("names the operator's default model and a deleted credential", () => {
    expect(
      describeChatModelTarget({ model: "gpt-4o", baseUrl: "", credential: null, defaultModel: { source: "env", host: "api.openai.com", hasKey: true } }),
    ).toBe("Answers with gpt-4o at api.openai.com using the server's OPENAI_API_KEY (Skyloom's default model).");
    expect(describeChatModelTarget({ model: "x", baseUrl: "", credential: "missing", defaultModel: devModel })).toMatch(/credential no longer exists/);
  });
});
