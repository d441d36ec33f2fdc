import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "@playwright/test";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { createFlow, dragBlock, nodeId, nodeOfType, openPanel, waitSaved } from "./support/canvas";
import { promptAgentGraph, trpcCall } from "./support/agent-api";
import { waitForHydration } from "./support/hydration";

// Room for the blocks beside the palette and the side panel.
test.use({ viewport: { width: 1600, height: 1000 } });

/**
 * Records what the page's Content-Security-Policy refused and every console error. The
 * listener is installed before the page's own scripts run, on every page the test opens.
 */
async function watchPolicy(page: Page): Promise<{ problems: string[] }> {
  const problems: string[] = [];
  await page.exposeFunction("reportPolicyViolation", (text: string) => problems.push(`CSP violation: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { reportPolicyViolation(text: string): void }).reportPolicyViolation;
      void report(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return { problems };
}

test("the dashboard, the editor (canvas, auto-layout, chat, Deploy panel) and an agent's charts run under the page policy without violations", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const watch = await watchPolicy(page);

  // The watcher sees a violation when there is one: an inline script without the nonce.
  const login = await page.goto("/login");
  expect(login?.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[\w+/=]+'/);
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.injected = true";
    document.body.append(script);
  });
  await expect.poll(() => watch.problems.some((p) => p.startsWith("CSP violation: script-src-elem blocked inline"))).toBe(true);
  expect(await page.evaluate(() => "injected" in window)).toBe(false);
  watch.problems.length = 0;

  await signUp(page, uniqueEmail("csp"));
  await expect(page.getByRole("button", { name: "New flow" })).toBeVisible();

  // The canvas: blocks dragged in (right to left) and wired from the model's panel, then
  // arranged by ELK. Menus rather than wire drags: a drag aimed at a port misses when the canvas
  // is still settling on a busy machine, which says nothing about the policy.
  await createFlow(page, "Policy check");
  await waitForHydration(page);
  await dragBlock(page, "io.chat-output", { x: 120, y: 120 });
  await dragBlock(page, "io.chat-input", { x: 560, y: 200 });
  await dragBlock(page, "model.openai", { x: 300, y: 380 });
  const input = await nodeId(page, "io.chat-input");
  const model = await nodeId(page, "model.openai");
  const output = await nodeId(page, "io.chat-output");
  const panel = page.getByTestId("config-panel");
  await expect(panel).toHaveAttribute("data-node-id", model);
  // Each menu lists the compatible ports once it has focus.
  for (const [menu, choice] of [
    ["Connect to input Prompt", "Chat Input → Message"],
    ["Connect output Response", "Chat Output → Message"],
  ] as const) {
    await panel.getByLabel(menu).focus();
    await panel.getByLabel(menu).selectOption({ label: choice });
  }
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);
  const xOf = async (id: string) => (await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!.x;
  await page.getByTestId("auto-layout").click();
  // ELK (about 1.5 MB) loads on this first use; a busy machine takes a while.
  await expect
    .poll(async () => (await xOf(input)) < (await xOf(model)) && (await xOf(model)) < (await xOf(output)), { timeout: 30_000 })
    .toBe(true);
  await waitSaved(page);

  // The chat panel streams a run over the same origin.
  await openPanel(page, "chat");
  const chat = page.getByTestId("chat-panel");
  await chat.getByTestId("chat-input").fill("Hello under a policy");
  await chat.getByTestId("chat-send").click();
  await expect(chat.getByTestId("chat-answer")).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(nodeOfType(page, "model.openai").getByLabel("done")).toBeVisible();

  // The Deploy panel's CodeMirror viewer (it styles itself with <style> elements).
  await dragBlock(page, "model.endpoint", { x: 300, y: 600 });
  await waitSaved(page);
  await openPanel(page, "deploy");
  const viewer = page.getByTestId("manifest-viewer");
  await expect(viewer.locator(".cm-content")).toContainText("vllm/vllm-openai");
  await expect(viewer.locator(".cm-editor")).toHaveCSS("position", "relative");

  // An agent's page draws its usage with Recharts.
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Charted", graph: promptAgentGraph("Hi. {input}") });
  const agent = await trpcCall<{ slug: string }>(page.request, "agent.publish", { flowId: flow.id });
  const { token } = await trpcCall<{ token: string }>(page.request, "apiKey.create", { name: "csp", kind: "secret" });
  const answer = await page.request.post(`${baseURL}/v1/chat/completions`, {
    headers: { authorization: `Bearer ${token}` },
    data: { model: agent.slug, messages: [{ role: "user", content: "hi" }] },
  });
  expect(answer.status()).toBe(200);
  await page.goto(`/agents/${agent.slug}`);
  await waitForHydration(page);
  await expect(page.getByTestId("usage-charts").locator(".recharts-bar-rectangle path").first()).toBeVisible();

  expect(watch.problems).toEqual([]);

  // The error page runs Remix's scripts under the same policy; Chromium reports its 404 itself.
  const missing = await page.goto("/no-such-page");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the dashboard" }).click();
  await expect(page.getByRole("button", { name: "New flow" })).toBeVisible();
  expect(watch.problems).toEqual(["console error: Failed to load resource: the server responded with a status of 404 (Not Found)"]);
});

/** Someone else's page on its own origin, with a strict policy of its own, embedding the widget. */
async function strictHostPage(skyloomUrl: string, agent: string, key: () => string) {
  const nonce = "c2hvcC1ub25jZQ==";
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src ${skyloomUrl}`,
    });
    res.end(`<!doctype html><html><head><title>Shop</title></head><body><h1>A shop with a strict policy</h1>
<script nonce="${nonce}" src="${skyloomUrl}/embed.js" data-agent="${agent}" data-key="${key()}" data-title="Shop help"></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test("the widget works on a page with its own strict policy: styled by the script's nonce, talking to /v1 through CORS", async ({ page, baseURL }) => {
  await signUp(page, uniqueEmail("csp-widget"));
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Strict Shop", graph: promptAgentGraph("Hi. {input}") });
  const agent = await trpcCall<{ id: string; slug: string }>(page.request, "agent.publish", { flowId: flow.id });
  let key = "";
  const shop = await strictHostPage(baseURL!, agent.slug, () => key);
  try {
    key = (
      await trpcCall<{ token: string }>(page.request, "apiKey.create", {
        name: "strict shop",
        kind: "public",
        allowedAgents: [agent.id],
        allowedOrigins: [shop.origin],
      })
    ).token;
    const watch = await watchPolicy(page);
    await page.goto(shop.origin);
    const bubble = page.getByRole("button", { name: "Open chat" });
    // The widget's own stylesheet applied: the bubble floats over the page.
    await expect(bubble).toHaveCSS("position", "fixed");
    await bubble.click();
    const dialog = page.getByRole("dialog", { name: "Shop help" });
    await dialog.getByRole("textbox", { name: "Message" }).fill("Open on Sundays?");
    await dialog.getByRole("button", { name: "Send" }).click();
    const answer = dialog.locator('[data-role="assistant"]').last();
    await expect(answer).toContainText("Hi. Open on Sundays?");
    await expect(answer).not.toHaveAttribute("aria-busy", "true");
    expect(watch.problems).toEqual([]);
  } finally {
    await shop.close();
  }
});
