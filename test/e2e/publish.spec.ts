import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { gotoHydrated, reloadHydrated } from "./support/hydration";
import { openPanel } from "./support/canvas";
import { promptAgentGraph, trpcCall } from "./support/agent-api";

test.use({ viewport: { width: 1600, height: 1000 } });

test("publish from the editor's Use it panel, call it with the snippet's key, publish a newer version explicitly, unpublish", async ({ page, baseURL }) => {
  await signUp(page, uniqueEmail("publish"));
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Order Helper", graph: promptAgentGraph("Version one. {input}") });

  await gotoHydrated(page, `/flows/${flow.id}`);
  await openPanel(page, "publish");
  const panel = page.getByTestId("publish-panel");
  await panel.getByLabel("Name in the API").fill("orders");
  await panel.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(panel.getByTestId("publish-status")).toHaveText("Live");
  await expect(panel.getByTestId("pinned-version")).toContainText("Serving version 1");
  await expect(panel.getByTestId("publish-model")).toHaveText("orders");
  await expect(panel.getByTestId("publish-base-url")).toHaveText(/\/v1$/);

  // A key made here is shown once, on its own and inside copy-ready code.
  await panel.getByRole("button", { name: "New key for this agent" }).click();
  await expect(panel.getByTestId("new-key-notice")).toBeVisible();
  await expect(panel.getByTestId("new-key-token")).toHaveText(/^sky_sk_[\w-]{43}$/);
  await panel.getByRole("tab", { name: "Python" }).click();
  const python = (await panel.getByTestId("publish-snippet").textContent()) ?? "";
  expect(python).toContain('model="orders"');
  expect(python).toContain("from openai import OpenAI");
  await panel.getByRole("tab", { name: "curl" }).click();
  const curl = (await panel.getByTestId("publish-snippet").textContent()) ?? "";
  const key = /Bearer (sky_sk_[\w-]+)/.exec(curl)?.[1] ?? "";
  expect(key).toHaveLength(50);

  // A secret key never goes into the widget's web-page code: a placeholder and a warning instead.
  await panel.getByRole("tab", { name: "Widget" }).click();
  await expect(panel.getByTestId("publish-snippet")).toContainText('data-key="YOUR_PUBLIC_KEY"');
  await expect(panel.getByTestId("publish-snippet")).not.toContainText("sky_sk_");
  await expect(panel.getByTestId("snippet-key-warning")).toContainText("A secret key must never be put in a web page");
  // The language tabs follow the arrow keys.
  await panel.getByRole("tab", { name: "Widget" }).press("ArrowRight");
  await expect(panel.getByRole("tab", { name: "curl" })).toHaveAttribute("aria-selected", "true");
  await expect(panel.getByRole("tab", { name: "curl" })).toBeFocused();
  await expect(panel.getByTestId("publish-snippet")).toContainText(key);

  // The key from the snippet works against the real API.
  const ask = () =>
    page.request.post(`${baseURL}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${key}` },
      data: { model: "orders", messages: [{ role: "user", content: "status?" }] },
    });
  const first = await ask();
  expect(first.status()).toBe(200);
  expect(JSON.stringify(await first.json())).toContain("Version one. status?");

  // Editing the flow does not change what is served until a newer version is published.
  await trpcCall(page.request, "flow.save", { id: flow.id, graph: promptAgentGraph("Version two. {input}"), expectedRevision: 1 });
  expect(JSON.stringify(await (await ask()).json())).toContain("Version one.");
  await reloadHydrated(page);
  await openPanel(page, "publish");
  await panel.getByRole("button", { name: "Publish this version" }).click();
  await expect(panel.getByTestId("pinned-version")).toContainText("Serving version 2");
  expect(JSON.stringify(await (await ask()).json())).toContain("Version two. status?");

  // Run history: both kinds of answers are there, and each opens its trace.
  await panel.getByRole("link", { name: "Run history and usage" }).click();
  await expect(page.getByTestId("agent-slug")).toHaveText("orders");
  await expect(page.getByTestId("agent-run-row")).toHaveCount(3);
  await expect(page.getByTestId("usage-totals")).toContainText("3 requests · 0 errors");
  const charts = page.getByTestId("usage-charts");
  await expect(charts.getByText("Requests per day (UTC)")).toBeVisible();
  await expect(charts.getByText("Tokens per day (UTC)")).toBeVisible();
  // Today's bars are drawn: answered requests, and prompt and completion tokens.
  await expect(charts.locator(".recharts-bar-rectangle path")).toHaveCount(3);
  // Days read as "Nov 24" (UTC), not as a bare "11-24".
  const today = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" }).format(new Date());
  await expect(charts.locator(".recharts-xAxis").getByText(today, { exact: true })).toHaveCount(2);
  await page.getByLabel("Status").selectOption("failed");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("No runs match.")).toBeVisible();
  await page.getByLabel("Status").selectOption("succeeded");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("agent-run-row")).toHaveCount(3);
  await page.getByTestId("agent-run-row").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/runs\/run_/);
  await expect(page.getByText("from the API (/v1)")).toBeVisible();
  // A run that came through the API leads back to its agent's history and to the flow.
  await page.getByTestId("run-agent-link").click();
  await expect(page.getByTestId("agent-slug")).toHaveText("orders");
  await page.getByTestId("agent-version").getByRole("link", { name: "Order Helper" }).click();
  await expect(page).toHaveURL(new RegExp(`/flows/${flow.id}$`));

  // Unpublishing asks first (Escape keeps it live), then stops the API at once.
  await openPanel(page, "publish");
  await panel.getByRole("button", { name: "Unpublish" }).click();
  const confirm = page.getByRole("dialog", { name: "Unpublish “orders”?" });
  await expect(confirm).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(confirm).toHaveCount(0);
  await expect(panel.getByTestId("publish-status")).toHaveText("Live");
  expect((await ask()).status()).toBe(200);
  await panel.getByRole("button", { name: "Unpublish" }).click();
  await confirm.getByRole("button", { name: "Unpublish" }).click();
  await expect(panel.getByTestId("publish-status")).toHaveText("Unpublished");
  expect((await ask()).status()).toBe(404);
  // It no longer claims to serve anything, here and on the agent's page.
  await expect(panel.getByTestId("pinned-version")).toHaveText(/^Not serving; last published version 2/);
  await expect(panel.getByTestId("unpublished-notice")).toBeVisible();
  await page.goto("/agents/orders");
  await expect(page.getByTestId("agent-version")).toContainText("not serving (unpublished)");
});

test("a bad or taken model name is explained under the name field, and Enter renames", async ({ page }) => {
  await signUp(page, uniqueEmail("slug"));
  // Before anything is published, the agents page says where publishing happens.
  await page.getByTestId("agents-link").click();
  await page.getByTestId("agents-empty").getByRole("link", { name: "flows" }).click();
  await expect(page.getByRole("heading", { name: "Flows" })).toBeVisible();
  const taken = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Taken", graph: promptAgentGraph() });
  const support = await trpcCall<{ id: string }>(page.request, "agent.publish", { flowId: taken.id, slug: "support" });
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Helpdesk", graph: promptAgentGraph() });

  await gotoHydrated(page, `/flows/${flow.id}`);
  await openPanel(page, "publish");
  const panel = page.getByTestId("publish-panel");
  const name = panel.getByLabel("Name in the API");

  // Publishing under a name another agent has: the message sits under the field, in plain words.
  await name.fill("support");
  await panel.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription('"support" is already used by another agent in this team; choose another.');
  await expect(panel.getByText(/slug:/)).toHaveCount(0);
  // Typing a new name clears the old message.
  await name.fill("helpdesk");
  await expect(name).not.toHaveAttribute("aria-invalid", "true");
  await panel.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(panel.getByTestId("publish-status")).toHaveText("Live");

  // A name the rules refuse, submitted with Enter.
  await name.fill("Help Desk!");
  await name.press("Enter");
  await expect(name).toHaveAccessibleDescription(/^"help desk!" is not a valid name; use 3–64 characters/);
  await name.fill("helpdesk-eu");
  await name.press("Enter");
  await expect(panel.getByTestId("publish-model")).toHaveText("helpdesk-eu");

  // A fresh agent's history says how runs get there, and its key filter offers only keys that can call it.
  await trpcCall(page.request, "apiKey.create", { name: "support only", kind: "secret", allowedAgents: [support.id] });
  await trpcCall(page.request, "apiKey.create", { name: "every agent", kind: "secret" });
  await gotoHydrated(page, "/agents/helpdesk-eu");
  await expect(page.getByText("No runs yet")).toBeVisible();
  await expect(page.getByLabel("Key").locator("option")).toHaveText(["any key", /^every agent \(sky_sk_/]);
});

test("API keys page: create a key shown once, restricted and limited, and revoke it", async ({ page, baseURL }) => {
  await signUp(page, uniqueEmail("keys"));
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Key Target", graph: promptAgentGraph() });
  await trpcCall(page.request, "agent.publish", { flowId: flow.id });

  await page.getByTestId("api-keys-link").click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill("reporting job");
  await form.getByLabel("key-target").check();
  await form.getByLabel("Requests per minute").fill("1");
  await form.getByRole("button", { name: "Create key" }).click();
  const token = ((await page.getByTestId("created-key-token").textContent()) ?? "").trim();
  expect(token).toMatch(/^sky_sk_/);
  const row = page.getByTestId("api-key-row").filter({ hasText: "reporting job" });
  await expect(row).toContainText("key-target");
  await expect(row).toContainText("1/min");
  await expect(page.locator("body")).toContainText(token.slice(0, 12));

  const call = () => page.request.get(`${baseURL}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
  expect((await call()).status()).toBe(200);
  const limited = await call();
  expect(limited.status()).toBe(429);
  expect(Number(limited.headers()["retry-after"])).toBeGreaterThan(0);

  await page.getByRole("button", { name: "I have copied it" }).click();
  await expect(page.getByTestId("created-key")).toHaveCount(0);
  await reloadHydrated(page);
  // Shown once: after a reload only the prefix is on the page.
  await expect(page.locator("body")).not.toContainText(token);
  // Revoking asks first; keeping the key changes nothing.
  await row.getByRole("button", { name: "Revoke" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke “reporting job”?" });
  await confirm.getByRole("button", { name: "Keep the key" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(row).not.toContainText("revoked");
  await row.getByRole("button", { name: "Revoke" }).click();
  await confirm.getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toContainText("revoked");
  expect((await call()).status()).toBe(401);
});

test("API keys page: a public key's missing agent or origins are explained under those fields", async ({ page }) => {
  await signUp(page, uniqueEmail("public-keys"));
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Shop Bot", graph: promptAgentGraph() });
  await trpcCall(page.request, "agent.publish", { flowId: flow.id });

  await gotoHydrated(page, "/settings/api-keys");
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill("shop widget");
  await form.getByLabel("Public (chat widget)").check();
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(form.getByRole("group", { name: "Agent (exactly one)" })).toHaveAccessibleDescription("A public key is for exactly one agent; choose it.");

  await form.getByLabel("shop-bot").check();
  await form.getByRole("button", { name: "Create key" }).click();
  const origins = form.getByLabel("Allowed origins");
  await expect(origins).toHaveAttribute("aria-invalid", "true");
  await expect(origins).toHaveAccessibleDescription(/^List the web sites \(e\.g\. https:\/\/example\.com\)/);

  await origins.fill("shop.example");
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(origins).toHaveAccessibleDescription(/^"shop\.example" is not an origin; write scheme:\/\/host/);
  // No programmer's field names anywhere on the page.
  await expect(page.getByText(/allowedOrigins|allowedAgents/)).toHaveCount(0);

  await origins.fill("https://shop.example");
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("created-key-token")).toHaveText(/^sky_pk_/);

  // Where the browser refuses the clipboard (plain http on a LAN address), the key is selected
  // for Ctrl+C instead of the copy button silently doing nothing.
  await page.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"));
  });
  await page.getByRole("button", { name: "Copy new API key" }).click();
  await expect(page.getByTestId("created-key").getByRole("status").last()).toContainText("press Ctrl+C");
  const token = (await page.getByTestId("created-key-token").textContent()) ?? "";
  expect(await page.evaluate(() => window.getSelection()?.toString())).toBe(token);
});
