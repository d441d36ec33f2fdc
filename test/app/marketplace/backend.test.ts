import { describe, expect, it } from "vitest";
import { backendSentence } from "#app/lib/marketplace/backend";

describe("which backend serves an endpoint", () => {
  it("says the local development model is not a real LLM", () => {
    const s = backendSentence("Skyloom's local development model (canned answers, not a language model)");
    expect(s).toEqual({ devModel: true, text: "Served by Skyloom's local development model (canned answers, not a language model). Local development model — not a real LLM." });
  });

  it("names an operator's upstream as it is", () => {
    expect(backendSentence("the operator's OpenAI-compatible server at 127.0.0.1:11434")).toEqual({
      devModel: false,
      text: "Served by the operator's OpenAI-compatible server at 127.0.0.1:11434.",
    });
    expect(backendSentence(null)).toBeNull();
  });
});
