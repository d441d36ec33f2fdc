import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, pacedTest, signUp, uniqueEmail } from "./support/fixtures";
import { memoryAgentGraph, trpcCall } from "./support/agent-api";

// A Skyloom whose development model streams at a model-like pace, so the widget can be seen
// filling in an answer before the run ends.
const test = pacedTest;

/** A plain web page on another origin (its own port) that embeds the widget with `key`. */
async function hostPage(skyloomUrl: string, agent: string) {
  let key = "";
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><head><title>Shop</title></head><body><h1>Someone else's shop</h1>
<script src="${skyloomUrl}/embed.js" data-agent="${agent}" data-key="${key}" data-title="Shop help"></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    useKey: (k: string) => void (key = k),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test("the widget on an allowed origin streams replies and keeps the conversation across reloads; another origin is refused visibly", async ({ page, paced }) => {
  await signUp(page, uniqueEmail("widget"));
  const request = page.request;
  const flow = await trpcCall<{ id: string }>(request, "flow.create", { name: "Shop Helper", graph: memoryAgentGraph() });
  const agent = await trpcCall<{ id: string; slug: string }>(request, "agent.publish", { flowId: flow.id });
  expect(agent.slug).toBe("shop-helper");

  // Two pages on two other origins; the key allows only the first.
  const allowedPage = await hostPage(paced.url, agent.slug);
  const refusedPage = await hostPage(paced.url, agent.slug);
  const { token } = await trpcCall<{ token: string }>(request, "apiKey.create", {
    name: "shop widget",
    kind: "public",
    allowedAgents: [agent.id],
    allowedOrigins: [allowedPage.origin],
  });
  allowedPage.useKey(token);
  refusedPage.useKey(token);

  try {
    await page.goto(allowedPage.origin);
    const bubble = page.getByRole("button", { name: "Open chat" });
    await bubble.click();
    const dialog = page.getByRole("dialog", { name: "Shop help" });
    const sseResponse = page.waitForResponse((r) => r.url().endsWith("/v1/chat/completions") && r.request().method() === "POST");
    await dialog.getByRole("textbox", { name: "Message" }).fill("Do you ship to Norway?");
    await dialog.getByRole("button", { name: "Send" }).click();
    const response = await sseResponse;
    expect(response.headers()["content-type"]).toMatch(/^text\/event-stream/);
    expect(response.headers()["access-control-allow-origin"]).toBe(allowedPage.origin);

    // Streaming: part of the answer is on screen while the reply is still arriving.
    await page.waitForFunction(() => {
      const root = document.querySelector("[data-skyloom-widget]")?.shadowRoot;
      const reply = root?.querySelector('[data-role="assistant"][aria-busy="true"]');
      return Boolean(reply && (reply.textContent ?? "").includes("You said"));
    });
    const answer = dialog.locator('[data-role="assistant"]').last();
    await expect(answer).toContainText("This is turn 1");
    await expect(answer).not.toHaveAttribute("aria-busy", "true");

    // After a reload the conversation is still there, and the agent remembers it.
    await page.reload();
    await page.getByRole("button", { name: "Open chat" }).click();
    await expect(dialog.locator('[data-role="user"]')).toHaveText(["Do you ship to Norway?"]);
    await expect(dialog.locator('[data-role="assistant"]')).toHaveCount(1);
    await dialog.getByRole("textbox", { name: "Message" }).fill("And to Sweden?");
    await dialog.getByRole("button", { name: "Send" }).click();
    const second = dialog.locator('[data-role="assistant"]').last();
    await expect(second).toContainText("This is turn 2");
    await expect(second).not.toHaveAttribute("aria-busy", "true");
    // Model output is text, never markup.
    expect(await dialog.locator('[data-role="assistant"] *').count()).toBe(0);

    // "New chat" while an answer is still arriving stops it: the run ends as cancelled on the
    // server, so nothing more of the old answer can arrive, and the new chat stays empty, also
    // after a reload.
    await dialog.getByRole("textbox", { name: "Message" }).fill("Tell me everything");
    await dialog.getByRole("button", { name: "Send" }).click();
    await expect(dialog.locator('[data-role="assistant"][aria-busy="true"]')).toContainText("You said");
    await dialog.getByRole("button", { name: "New chat" }).click();
    await expect(dialog.locator(".msg")).toHaveCount(0);
    const statuses = async () => (await trpcCall<{ runs: { status: string }[] }>(request, "agent.runs", { id: agent.id }, "query")).runs.map((r) => r.status);
    await expect.poll(statuses, { timeout: 20_000 }).toEqual(["cancelled", "succeeded", "succeeded"]);
    await expect(dialog.locator(".msg")).toHaveCount(0);
    await page.reload();
    await page.getByRole("button", { name: "Open chat" }).click();
    await expect(dialog.locator(".msg")).toHaveCount(0);

    // Keyboard and closing: Escape closes the chat and hands focus back to the bubble, which
    // is a drawn icon (an emoji shows as an empty box where no emoji font is installed).
    // A reply that has not started yet shows a typing mark instead of an empty bubble.
    const waitingMark = await page.evaluate(() => {
      const log = document.querySelector("[data-skyloom-widget]")?.shadowRoot?.querySelector('[role="log"]');
      const waiting = document.createElement("div");
      waiting.className = "msg assistant";
      waiting.setAttribute("aria-busy", "true");
      log?.appendChild(waiting);
      const mark = getComputedStyle(waiting, "::after").content;
      waiting.remove();
      return mark;
    });
    expect(waitingMark).toBe('"…"');

    const openChat = page.getByRole("button", { name: "Open chat" });
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(openChat).toHaveAttribute("aria-expanded", "false");
    await expect(openChat).toBeFocused();
    await expect(openChat.locator("svg")).toHaveCount(1);
    await expect(openChat).toHaveText("");
    await page.keyboard.press("Enter");
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("textbox", { name: "Message" })).toBeFocused();
    await dialog.getByRole("button", { name: "Close chat" }).click();
    await expect(dialog).toBeHidden();

    // The same widget on an origin the key does not list: the browser blocks it and the widget says so.
    await page.goto(refusedPage.origin);
    await page.getByRole("button", { name: "Open chat" }).click();
    const refusedDialog = page.getByRole("dialog", { name: "Shop help" });
    await refusedDialog.getByRole("textbox", { name: "Message" }).fill("Hello?");
    await refusedDialog.getByRole("button", { name: "Send" }).click();
    await expect(refusedDialog.locator('[data-role="error"]')).toContainText("Could not reach the agent from this site");
    await expect(refusedDialog.locator('[data-role="assistant"]')).toHaveCount(0);

    // The refused request never reached the agent: its history still holds the three runs.
    expect(await statuses()).toEqual(["cancelled", "succeeded", "succeeded"]);
  } finally {
    await allowedPage.close();
    await refusedPage.close();
  }
});
