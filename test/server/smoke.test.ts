import { afterEach, expect, test } from "vitest";
import { createTestBackend, type TestBackend } from "../support/harness";

let backend: TestBackend | undefined;
afterEach(() => backend?.close());

test("a new account gets a personal team and an empty flow list", async () => {
  backend = await createTestBackend();
  const ada = await backend.signedUpClient("ada@example.com", "Ada");
  const me = await ada.trpc.auth.me();
  expect(me?.user.email).toBe("ada@example.com");
  expect(me?.team).toMatchObject({ name: "Ada's team", role: "owner", personal: true });
  expect(await ada.trpc.flow.list()).toEqual([]);
});

test("catalog.blocks lists every registered block with ports and a JSON Schema for its form", async () => {
  backend = await createTestBackend();
  const blocks = await backend.client().trpc.catalog.blocks();
  const prompt = blocks.find((b) => b.type === "prompt.template");
  expect(prompt).toMatchObject({ title: "Prompt", category: "Prompts", outputs: [{ id: "prompt", type: "text" }] });
  expect(prompt?.inputs.map((p) => p.id)).toEqual(["input"]);
  expect(prompt?.configSchema).toMatchObject({ type: "object", properties: { template: { type: "string", widget: "prompt" } } });
  expect(blocks.map((b) => b.type)).toEqual(expect.arrayContaining(["io.chat-input", "model.openai", "io.chat-output"]));
});
