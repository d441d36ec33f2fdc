import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import type { DevRequest } from "#server/dev-model/replies";
import { helloAgentGraph, startGatewayHost, type GatewayHost } from "./support";

// The operator's model (OPENAI_BASE_URL) is a local OpenAI-compatible server that records what
// the agent's Chat Model block asks of it, so the test sees the real calls the gateway causes.
let model: DevModelServer;
const asked: DevRequest[] = [];
let host: GatewayHost;
let key: string;

beforeAll(async () => {
  model = await startDevModelServer({
    override: (request) => {
      asked.push(request);
      return { kind: "text", text: "Forty-two, said the model." };
    },
  });
  host = await startGatewayHost({ OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: "operator-key" });
  const alice = await host.person("alice@example.com");
  const flow = await alice.flow.create({ name: "Answer Bot", graph: helloAgentGraph() });
  await alice.agent.publish({ flowId: flow.id, slug: "answer-bot" });
  key = (await alice.apiKey.create({ name: "backend", kind: "secret" })).token;
}, 60_000);

afterAll(async () => {
  await host?.close();
  await model?.close();
});

describe("the model calls behind /v1/chat/completions", () => {
  it("asks the model for one answer when the client did not ask for a stream", async () => {
    const before = asked.length;
    const completion = await host.openai(key).chat.completions.create({ model: "answer-bot", messages: [{ role: "user", content: "What is six times seven?" }] });
    expect(completion.choices[0]?.message.content).toBe("Forty-two, said the model.");
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    const calls = asked.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.stream).toBeFalsy();
    expect(calls[0]?.messages.at(-1)?.content).toContain("What is six times seven?");
  });

  it("streams from the model when the client streams, with the same answer", async () => {
    const before = asked.length;
    const stream = await host.openai(key).chat.completions.create({ model: "answer-bot", messages: [{ role: "user", content: "And streamed?" }], stream: true });
    let text = "";
    let contentChunks = 0;
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content ?? "";
      if (piece) contentChunks += 1;
      text += piece;
    }
    expect(text).toBe("Forty-two, said the model.");
    // Token by token, as the model sent them, not one piece at the end.
    expect(contentChunks).toBeGreaterThan(1);
    const calls = asked.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.stream).toBe(true);
  });
});
