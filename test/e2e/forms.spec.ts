import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Locator, Page } from "@playwright/test";
import { memoryAgentGraph, trpcCall } from "./support/agent-api";
import { createFlow, dragBlock, nodeId, nodeOfType, openPanel, port, waitSaved } from "./support/canvas";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { waitForHydration } from "./support/hydration";

/** Forms a person who does not write code can fill: what they see while filling them. */

async function openBlock(page: Page, type: string): Promise<Locator> {
  await nodeOfType(page, type).click();
  const panel = page.getByTestId("config-panel");
  await expect(panel).toBeVisible();
  return panel;
}

/** Pastes text through the real clipboard, so the browser applies the field's limit as it would for a person. */
async function paste(page: Page, field: Locator, text: string): Promise<void> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await field.click();
  await field.press("Control+End");
  await field.press("Control+v");
}

test("the Agent's instructions: {topic} becomes an input on the block, and the limit is shown and enforced with a word", async ({ page }) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await signUp(page, uniqueEmail("agent-vars"));
  await createFlow(page, "Agent variables");
  await dragBlock(page, "agent.tools", { x: 300, y: 200 });
  const agent = await nodeId(page, "agent.tools");
  const panel = await openBlock(page, "agent.tools");

  const instructions = panel.getByTestId("field-systemPrompt");
  await instructions.fill("Talk only about {topic}.");
  await expect(port(page, agent, "in", "topic")).toBeVisible();
  await expect(panel.getByLabel("Variables")).toHaveText("{topic}");
  await expect(panel.getByTestId("field-systemPrompt-count")).toHaveText("24 / 20,000");

  // A name the Agent already uses for an input is refused at the field.
  await instructions.fill("Use {model}.");
  await expect(panel.getByTestId("field-error-systemPrompt")).toContainText('Rename {model}: the Agent already has an input called "model"');
  await expect(port(page, agent, "in", "topic")).toHaveCount(0);

  // A paste longer than the limit: the browser keeps what fits, and the form says what was left out.
  await instructions.fill("x".repeat(19_000));
  await paste(page, instructions, "y".repeat(1_500));
  await expect(panel.getByTestId("field-systemPrompt-count")).toHaveText("20,000 / 20,000");
  await expect(panel.getByTestId("field-systemPrompt-cut")).toHaveText(
    "The paste was cut at the 20,000-character limit: its last 500 characters were left out.",
  );
  await expect(instructions).toHaveValue("x".repeat(19_000) + "y".repeat(1_000));
  // Making room again clears the note.
  await instructions.press("Backspace");
  await expect(panel.getByTestId("field-systemPrompt-cut")).toHaveText("");
  await expect(panel.getByTestId("field-systemPrompt-count")).toHaveText("19,999 / 20,000");
});

test("the HTTP tool's headers are name and value boxes, kept after a reload", async ({ page }) => {
  await signUp(page, uniqueEmail("http-headers"));
  await createFlow(page, "Headers");
  await dragBlock(page, "tool.http", { x: 300, y: 200 });
  const panel = await openBlock(page, "tool.http");

  const headers = panel.getByTestId("field-headers");
  await headers.getByRole("button", { name: "Add entry" }).click();
  await panel.getByLabel("Headers name 1").fill("Accept");
  await panel.getByLabel("Headers value 1").fill("application/json");
  await headers.getByRole("button", { name: "Add entry" }).click();
  await panel.getByLabel("Headers name 2").fill("Bad Name");
  await expect(panel.getByTestId("field-error-headers")).toHaveText('"Bad Name" is not a header name: use letters, digits and -');
  await panel.getByLabel("Headers name 2").fill("X-Api-Version");
  await panel.getByLabel("Headers value 2").fill("2024-06");
  await expect(panel.getByTestId("field-error-headers")).toHaveCount(0);

  await waitSaved(page);
  await page.reload();
  await waitForHydration(page);
  const again = await openBlock(page, "tool.http");
  await expect(again.getByLabel("Headers name 1")).toHaveValue("Accept");
  await expect(again.getByLabel("Headers value 1")).toHaveValue("application/json");
  await expect(again.getByLabel("Headers name 2")).toHaveValue("X-Api-Version");
  await expect(nodeOfType(page, "tool.http").getByTestId("node-problems")).toHaveCount(0);
});

test("the Code Tool takes a pasted JSON Schema, explains a wrong one, and opens flows saved with the old text form", async ({ page }) => {
  await signUp(page, uniqueEmail("code-schema"));
  // A flow saved before the schema became an object: version 1 stored it as JSON text.
  const graph = {
    schemaVersion: 1,
    nodes: [
      {
        id: "code",
        type: "tool.code",
        version: 1,
        config: { inputSchema: '{"type":"object","properties":{"value":{"type":"number"}},"required":["value"]}' },
        ui: { x: 200, y: 150 },
      },
    ],
    edges: [],
  };
  const created = await page.request.post("/api/trpc/flow.create", { data: { name: "Old code tool", graph } });
  expect(created.ok()).toBe(true);
  const flowId = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;
  await page.goto(`/flows/${flowId}`);
  await waitForHydration(page);

  const panel = await openBlock(page, "tool.code");
  const schema = panel.getByTestId("field-inputSchema");
  // Shown as the schema itself (formatted), not as a quoted string.
  await expect(schema).toHaveValue(/^\{\n {2}"type": "object",/);
  await expect(panel.getByTestId("field-error-inputSchema")).toHaveCount(0);
  await expect(nodeOfType(page, "tool.code").getByTestId("node-problems")).toHaveCount(0);

  await schema.fill('{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}');
  await expect(panel.getByTestId("field-error-inputSchema")).toHaveCount(0);

  await schema.fill('{"type": "object", "properties": {');
  await expect(panel.getByTestId("field-error-inputSchema")).toHaveText("This is not valid JSON yet (check quotes, commas and brackets).");

  await schema.fill('{"type": "string"}');
  await expect(panel.getByTestId("field-error-inputSchema")).toHaveText('Write a JSON Schema whose "type" is "object"');
  await expect(nodeOfType(page, "tool.code").getByTestId("node-problems")).toContainText('"type" is "object"');

  await schema.fill('{"type": "object", "properties": {"city": {"type": "string"}}}');
  await expect(panel.getByTestId("field-error-inputSchema")).toHaveCount(0);
  await waitSaved(page);
  await page.reload();
  await waitForHydration(page);
  const again = await openBlock(page, "tool.code");
  await expect(again.getByTestId("field-inputSchema")).toHaveValue(/"city": \{\n\s+"type": "string"/);
});

/** Whether the element's content runs out of its box sideways (a long word that did not wrap). */
function overflowsSideways(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
}

test("the test chat: a long URL wraps inside the bubbles, and the input shows its limit", async ({ page }) => {
  await signUp(page, uniqueEmail("chat-wrap"));
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Wrap", graph: memoryAgentGraph() });
  await page.goto(`/flows/${flow.id}`);
  await waitForHydration(page);

  await openPanel(page, "chat");
  const chat = page.getByTestId("chat-panel");
  await expect(chat.getByTestId("chat-input-count")).toHaveText("0 / 100,000");
  const url = `https://example.com/${"a".repeat(280)}?q=1`;
  await chat.getByTestId("chat-input").fill(url);
  await expect(chat.getByTestId("chat-input-count")).toHaveText(`${url.length} / 100,000`);
  await chat.getByTestId("chat-send").click();

  const question = chat.getByTestId("chat-question");
  const answer = chat.getByTestId("chat-answer");
  await expect(answer).toHaveAttribute("data-status", "succeeded");
  await expect(answer).toContainText("https://example.com/aaaa");
  expect(await overflowsSideways(question)).toBe(false);
  expect(await overflowsSideways(answer)).toBe(false);
  // The bubbles stay inside the panel.
  const panelBox = await chat.boundingBox();
  for (const bubble of [question, answer]) {
    const box = await bubble.boundingBox();
    expect(box && panelBox && box.x + box.width <= panelBox.x + panelBox.width + 1).toBe(true);
  }
});

test("the embedded widget: a long URL wraps inside the bubbles", async ({ page }) => {
  await signUp(page, uniqueEmail("widget-wrap"));
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Wrap Helper", graph: memoryAgentGraph() });
  const agent = await trpcCall<{ id: string; slug: string }>(page.request, "agent.publish", { flowId: flow.id });
  const skyloom = new URL(page.url()).origin;
  let key = "";
  const host: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><body><h1>Shop</h1><script src="${skyloom}/embed.js" data-agent="${agent.slug}" data-key="${key}" data-title="Shop help"></script></body></html>`);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  key = (
    await trpcCall<{ token: string }>(page.request, "apiKey.create", {
      name: "wrap widget",
      kind: "public",
      allowedAgents: [agent.id],
      allowedOrigins: [origin],
    })
  ).token;
  try {
    await page.goto(origin);
    await page.getByRole("button", { name: "Open chat" }).click();
    const dialog = page.getByRole("dialog", { name: "Shop help" });
    const url = `https://example.com/${"b".repeat(280)}?q=1`;
    await dialog.getByRole("textbox", { name: "Message" }).fill(url);
    await dialog.getByRole("button", { name: "Send" }).click();
    const answer = dialog.locator('[data-role="assistant"]').last();
    await expect(answer).toContainText("https://example.com/bbbb");
    await expect(answer).not.toHaveAttribute("aria-busy", "true");
    const log = dialog.getByRole("log");
    expect(await overflowsSideways(log)).toBe(false);
    for (const bubble of [dialog.locator('[data-role="user"]'), answer]) expect(await overflowsSideways(bubble)).toBe(false);
  } finally {
    await new Promise<void>((resolve) => host.close(() => resolve()));
  }
});
