import type { Page } from "@playwright/test";
import { startDevModelServer, type DevModelServer } from "../../server/dev-model/server";
import { promptAgentGraph, trpcCall } from "./support/agent-api";
import { openPanel, waitSaved } from "./support/canvas";
import { expect, signUp, test as sharedTest, uniqueEmail } from "./support/fixtures";
import { gotoHydrated, waitForHydration } from "./support/hydration";
import { startBuiltServer, type StartedServer } from "./support/server";

/**
 * A Skyloom whose operator allowed a model server on this machine (the SSRF guard refuses
 * loopback otherwise): a local development model started here, standing in for a provider,
 * so a credential a person adds is really the one that answers.
 */
const test = sharedTest.extend<object, { provider: DevModelServer; skyloom: StartedServer }>({
  provider: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const provider = await startDevModelServer();
      await use(provider);
      await provider.close();
    },
    { scope: "worker" },
  ],
  skyloom: [
    async ({ provider }, use) => {
      const server = await startBuiltServer({ SKYLOOM_ALLOW_PRIVATE_URLS: new URL(provider.baseUrl).host });
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 120_000 },
  ],
  baseURL: async ({ skyloom }, use) => use(skyloom.url),
});

test.use({ viewport: { width: 1500, height: 950 } });

/** Saves the open flow as a template through the editor's dialog. */
async function saveAsTemplate(page: Page, fields: { name: string; description: string; tags: string; readme: string; visibility: "My team" | "Everyone (public)" }) {
  await page.getByTestId("save-as-template").click();
  const dialog = page.getByRole("dialog", { name: "Save as template" });
  await dialog.getByLabel("Template name").fill(fields.name);
  await dialog.getByLabel("Description").fill(fields.description);
  await dialog.getByLabel("Tags").fill(fields.tags);
  await dialog.getByLabel("Readme (Markdown)").fill(fields.readme);
  await dialog.getByLabel(fields.visibility).check();
  await dialog.getByRole("button", { name: "Save template" }).click();
  await expect(dialog.getByTestId("template-saved")).toContainText(`“${fields.name}” is saved as a template`);
  await dialog.getByRole("link", { name: "View template" }).click();
  await expect(page.getByTestId("template-name")).toHaveText(fields.name);
  await waitForHydration(page);
}

test("a new user uses a public template that needs a chat-model key: adds the key right there, the flow opens and answers through it; another team cannot manage it", async ({ page, browser, baseURL, provider }) => {
  // The author: a flow whose Chat Model uses the author's own key, shared publicly.
  await signUp(page, uniqueEmail("tpl-author"), "Ada");
  const key = await trpcCall<{ id: string }>(page.request, "credential.create", { name: "Ada's key", kind: "openai", secret: "sk-ada-secret-0000000001", baseUrl: provider.baseUrl });
  const graph = promptAgentGraph("You answer questions about Skyloom.\n\nQuestion: {input}");
  const model = graph.nodes.find((n) => n.id === "model");
  if (model) model.config = { ...(model.config as object), credentialId: key.id };
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Skyloom helper", graph });
  await gotoHydrated(page, `/flows/${flow.id}`);
  await waitSaved(page);
  await saveAsTemplate(page, {
    name: "Skyloom helper",
    description: "Answers questions about Skyloom.",
    tags: "support, helper",
    readme: "# Skyloom helper\n\nAsk it **anything** about Skyloom.\n\n<script>window.pwned = true</script>",
    visibility: "Everyone (public)",
  });
  // The readme is Markdown, safely: bold is bold, the script is only text.
  await expect(page.getByRole("heading", { name: "Skyloom helper", level: 2 })).toBeVisible();
  await expect(page.locator("strong", { hasText: "anything" })).toBeVisible();
  await expect(page.getByText("<script>window.pwned = true</script>")).toBeVisible();
  expect(await page.evaluate(() => (window as { pwned?: boolean }).pwned)).toBeUndefined();
  await expect(page.getByTestId("manage-visibility")).toContainText("Public");

  // A new user, in another team, finds it on the public shelf.
  const theirs = await browser.newContext({ baseURL, viewport: { width: 1500, height: 950 } });
  const newcomer = await theirs.newPage();
  await signUp(newcomer, uniqueEmail("tpl-user"), "Nia");
  await newcomer.getByTestId("templates-link").click();
  await expect(newcomer.getByRole("heading", { name: "Templates" })).toBeVisible();
  await waitForHydration(newcomer);
  await newcomer.getByRole("navigation", { name: "Shelves" }).getByRole("link", { name: "Public" }).click();
  await newcomer.getByLabel("Search templates").fill("skyloom helper");
  await newcomer.getByRole("button", { name: "Search", exact: true }).click();
  const card = newcomer.getByTestId("template-card").filter({ hasText: "Skyloom helper" });
  await expect(card).toHaveCount(1);
  await expect(newcomer.getByTestId("template-card")).toHaveCount(1);
  // The picture is drawn from the graph: four blocks, three wires.
  await expect(card.getByTestId("template-thumbnail")).toHaveAttribute("data-blocks", "4");
  await expect(card.getByTestId("template-thumbnail")).toHaveAttribute("data-lines", "3");
  await expect(card.getByTestId("template-need")).toHaveText(["needs an OpenAI key"]);
  await expect(card.getByTestId("template-share")).toContainText("Public");

  // Another team's public template: a preview and "Use", nothing to manage.
  await card.getByRole("link", { name: "Skyloom helper" }).click();
  await expect(newcomer.getByTestId("template-name")).toHaveText("Skyloom helper");
  await waitForHydration(newcomer);
  await expect(newcomer.getByTestId("template-canvas").locator(".react-flow__node")).toHaveCount(4);
  await expect(newcomer.getByTestId("template-canvas").locator(".react-flow__edge")).toHaveCount(3);
  await expect(newcomer.getByTestId("manage-template")).toHaveCount(0);
  await expect(newcomer.getByRole("button", { name: /Delete|Unshare|Publish version/ })).toHaveCount(0);
  const refused = await newcomer.request.post("/api/trpc/template.delete", { data: { id: new URL(newcomer.url()).pathname.split("/").pop() } });
  expect(refused.status()).toBe(403);

  // The key it needs is asked for right here; the newcomer adds one inline, for the local model.
  const use = newcomer.getByTestId("use-template");
  await expect(use.getByTestId("template-need-field")).toContainText("your team has no matching credential yet");
  await use.getByRole("button", { name: "Add credential" }).click();
  const inline = use.getByTestId("inline-credential");
  await inline.getByLabel("Name").fill("My local model");
  await inline.getByLabel("API key").fill("sk-nia-local-000000000002");
  await inline.getByLabel("Another OpenAI-compatible URL").check();
  await inline.getByLabel("Base URL").fill(provider.baseUrl);
  await inline.getByRole("button", { name: "Save credential" }).click();
  await expect(inline).toHaveCount(0);
  await expect(use.getByLabel("An API key for OpenAI")).toHaveValue(/.+/);
  await expect(use.getByLabel("An API key for OpenAI").locator("option:checked")).toHaveText("My local model");
  await use.getByRole("button", { name: "Use template" }).click();

  // The flow opens in the editor; a chat answers through the newcomer's credential.
  await expect(newcomer).toHaveURL(/\/flows\/flow_/);
  await expect(newcomer.getByTestId("flow-name")).toHaveText("Skyloom helper");
  await expect(newcomer.locator(".react-flow__node")).toHaveCount(4);
  const before = provider.completions();
  await openPanel(newcomer, "chat");
  const chat = newcomer.getByTestId("chat-panel");
  await chat.getByTestId("chat-input").fill("What is a template?");
  await chat.getByTestId("chat-send").click();
  await expect(chat.getByTestId("chat-answer")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(chat.getByTestId("chat-answer")).toContainText("What is a template?");
  expect(provider.completions()).toBeGreaterThan(before);

  // The author sees it used once.
  await page.reload();
  await expect(page.getByTestId("manage-uses")).toHaveText("once");
  await theirs.close();
});

test("share a template with the team; another member uses it from the team's shelf", async ({ page, browser, baseURL }) => {
  await signUp(page, uniqueEmail("tpl-owner"), "Olive");
  const acme = await trpcCall<{ id: string }>(page.request, "team.create", { name: "Acme" });
  await trpcCall(page.request, "team.switch", { teamId: acme.id });
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Acme triage", graph: promptAgentGraph("Sort this ticket: {input}") });
  await gotoHydrated(page, `/flows/${flow.id}`);
  await waitSaved(page);
  await saveAsTemplate(page, { name: "Acme triage", description: "Sorts tickets.", tags: "triage", readme: "Sorts *tickets*.", visibility: "My team" });
  await expect(page.getByTestId("manage-visibility")).toHaveText("Shared with your team");

  // A new member joins Acme as an editor.
  const member = uniqueEmail("tpl-member");
  const invitation = await trpcCall<{ link: string }>(page.request, "team.invitations.create", { email: member, role: "editor" });
  const theirs = await browser.newContext({ baseURL, viewport: { width: 1500, height: 950 } });
  const other = await theirs.newPage();
  await signUp(other, member, "Max");
  await trpcCall(other.request, "team.invitations.accept", { token: new URL(invitation.link).pathname.split("/").pop(), open: true });

  await gotoHydrated(other, "/templates?shelf=team");
  await expect(other.getByTestId("team-switcher")).toContainText("Acme");
  const card = other.getByTestId("template-card").filter({ hasText: "Acme triage" });
  await expect(card.getByTestId("template-share")).toContainText("Shared with Acme");
  await expect(card.getByText("Ready to run: needs nothing")).toBeVisible();
  await card.getByRole("button", { name: "Use Acme triage" }).click();
  await expect(other).toHaveURL(/\/flows\/flow_/);
  await expect(other.getByTestId("flow-name")).toHaveText("Acme triage");
  await expect(other.locator(".react-flow__node")).toHaveCount(4);

  // The owner sees the use; unsharing asks first and takes it off the member's shelf.
  await page.reload();
  await expect(page.getByTestId("manage-uses")).toHaveText("once");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Unshare" }).click();
  await page.getByRole("dialog", { name: "Unshare this template?" }).getByRole("button", { name: "Unshare" }).click();
  await expect(page.getByTestId("manage-visibility")).toContainText("Not shared");
  await gotoHydrated(other, "/templates?shelf=team");
  await expect(other.getByTestId("template-card")).toHaveCount(0);

  // Deleting asks first, then it is gone.
  await page.getByRole("button", { name: "Delete template" }).click();
  await page.getByRole("dialog", { name: "Delete this template?" }).getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL(/\/templates\?shelf=team$/);
  await expect(page.getByTestId("template-card")).toHaveCount(0);
  await theirs.close();
});

test("the empty dashboard offers four templates; the gallery searches and filters; one click makes a flow", async ({ page }) => {
  await signUp(page, uniqueEmail("tpl-new"));
  const featured = page.getByTestId("featured-templates");
  await expect(featured.getByTestId("template-card")).toHaveCount(4);
  for (const thumbnail of await featured.getByTestId("template-thumbnail").all()) {
    await expect(thumbnail).not.toHaveAttribute("data-blocks", "0");
  }

  await gotoHydrated(page, "/templates");
  const all = await page.getByTestId("template-card").count();
  expect(all).toBeGreaterThanOrEqual(16);
  await page.getByLabel("Search templates").fill("translation");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/q=translation/);
  await expect.poll(() => page.getByTestId("template-card").count()).toBeLessThan(all);
  const card = page.getByTestId("template-card").filter({ hasText: /translation/i }).first();
  const name = (await card.getByRole("heading").textContent()) ?? "";
  expect(name).toMatch(/translation/i);
  // A category narrows the shelf; a tag link filters by that tag.
  await page.getByRole("link", { name: "clear filters" }).click();
  await expect(page).toHaveURL(/\/templates$/);
  await page.getByLabel("Category").selectOption("Models");
  await expect(page).toHaveURL(/category=Models/);
  await expect(page.getByTestId("template-card").first()).toBeVisible();
  await expect(page.getByTestId("template-card").filter({ hasText: name })).toHaveCount(0);
  await page.getByRole("link", { name: "#chat", exact: true }).click();
  await expect(page).toHaveURL(/tag=chat/);
  await expect(page.getByTestId("template-card").first()).toContainText("#chat");

  await gotoHydrated(page, "/templates?q=translation");
  await page.getByRole("button", { name: `Use ${name}` }).click();
  await expect(page).toHaveURL(/\/flows\/flow_/);
  await expect(page.getByTestId("flow-name")).toHaveText(name);
  await expect(page.locator(".react-flow__node")).not.toHaveCount(0);
});
