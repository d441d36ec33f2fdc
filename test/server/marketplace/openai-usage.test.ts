import { describe, expect, it } from "vitest";
import { streamUsage, usageOfAnswer } from "#server/marketplace/openai-usage";

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}`;

describe("token usage read from an OpenAI answer", () => {
  it("a stream: the last usage chunk wins; without one, a token per content chunk", () => {
    const withUsage = [chunk("a"), chunk("b"), 'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}', "data: [DONE]", ""].join("\n");
    expect(streamUsage(withUsage)).toEqual({ usage: { promptTokens: 5, completionTokens: 7 }, contentChunks: 2 });
    expect(usageOfAnswer(withUsage, true)).toEqual({ promptTokens: 5, completionTokens: 7 });
    expect(usageOfAnswer([chunk("a"), chunk("b"), chunk("c"), "data: [DONE]"].join("\n"), true)).toEqual({ promptTokens: 0, completionTokens: 3 });
    expect(streamUsage("data: [DONE]\n").usage).toBeNull();
  });

  it("a line cut short (a tail window) is skipped, not fatal", () => {
    expect(streamUsage(`{"delta":{"content":"x"}}]}\n${chunk("a")}\ndata: {"usage":{"prompt_tok`)).toEqual({ usage: null, contentChunks: 1 });
  });

  it("a whole answer: its usage, or zero for a body that is not JSON", () => {
    expect(usageOfAnswer('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}', false)).toEqual({ promptTokens: 3, completionTokens: 4 });
    expect(usageOfAnswer("<html>Bad gateway</html>", false)).toEqual({ promptTokens: 0, completionTokens: 0 });
  });
});

describe("the usage that closes a whole answer (read without parsing the rest)", () => {
  const answer = (usage: string, content = "hello") => `{"id":"x","choices":[{"message":{"content":${JSON.stringify(content)}}}],${usage}}`;

  it("reads it as a full parse would", () => {
    expect(usageOfAnswer(answer('"usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}'), false)).toEqual({ promptTokens: 9, completionTokens: 2 });
    expect(usageOfAnswer(`${answer('"usage":{"prompt_tokens":1}')}\n`, false)).toEqual({ promptTokens: 1, completionTokens: 0 });
    expect(usageOfAnswer(answer('"usage":null'), false)).toEqual({ promptTokens: 0, completionTokens: 0 });
  });

  it("is not fooled by a `usage` in the text, a nested one, or one that is not last", () => {
    // The model's text mentions usage: the outer usage still counts.
    expect(usageOfAnswer(answer('"usage":{"prompt_tokens":4,"completion_tokens":5}', 'see "usage":{"prompt_tokens":99}}'), false)).toEqual({ promptTokens: 4, completionTokens: 5 });
    expect(usageOfAnswer(answer('"x":1', 'a "usage":{"prompt_tokens":99}}'), false)).toEqual({ promptTokens: 0, completionTokens: 0 });
    // A nested object named usage is not the answer's.
    expect(usageOfAnswer('{"meta":{"usage":{"prompt_tokens":99}}}', false)).toEqual({ promptTokens: 0, completionTokens: 0 });
    // Usage not last: the whole answer is parsed.
    expect(usageOfAnswer('{"usage":{"prompt_tokens":3,"completion_tokens":1},"id":"x"}', false)).toEqual({ promptTokens: 3, completionTokens: 1 });
  });
});
