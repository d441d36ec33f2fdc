import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, signUp, test as sharedTest, uniqueEmail } from "./support/fixtures";
import { trpcCall, promptAgentGraph } from "./support/agent-api";
import { createFlow, dragBlock, nodeOfType, waitSaved } from "./support/canvas";
import { startBuiltServer, type StartedServer } from "./support/server";

const PROVIDER_KEY = "sk-local-provider-0123456789";
const PROVIDER_MODELS = ["qwen2.5-7b-instruct", "llama-3.1-8b-instruct", "mistral-7b-instruct"];

/** A provider's OpenAI-compatible API on this machine: GET /v1/models, for the right key only. */
async function startLocalProvider(): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url !== "/v1/models") return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${PROVIDER_KEY}`) {
      res.writeHead(401, "Unauthorized", { "content-type": "application/json" });
      return void res.end(JSON.stringify({ error: { message: "Invalid API key" } }));
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: PROVIDER_MODELS.map((id) => ({ id, object: "model", owned_by: "me" })) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Provider = Awaited<ReturnType<typeof startLocalProvider>>;

/**
 * A Skyloom whose operator allowed exactly the local provider's host:port (the SSRF guard
 * refuses loopback otherwise, as the shared test server does).
 */
const test = sharedTest.extend<object, { provider: Provider; skyloom: StartedServer }>({
  provider: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const provider = await startLocalProvider();
      await use(provider);
      await provider.close();
    },
    { scope: "worker" },
  ],
  skyloom: [
    async ({ provider }, use) => {
      const server = await startBuiltServer({ SKYLOOM_ALLOW_PRIVATE_URLS: `127.0.0.1:${provider.port}` });
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
  baseURL: async ({ skyloom }, use) => use(skyloom.url),
});

test.use({ viewport: { width: 1500, height: 1000 } });

test("add a credential with a provider preset, pick a model from the provider's list, and read which model answers", async ({ page, provider }) => {
  await signUp(page, uniqueEmail("models"));
  const host = `127.0.0.1:${provider.port}`;

  // Settings → Credentials: a preset fills the base URL (and a name nobody typed).
  await page.goto("/settings/credentials");
  await page.getByTestId("credential-add").click();
  const dialog = page.getByRole("dialog", { name: "Add credential" });
  await dialog.getByRole("radio", { name: "Groq" }).check();
  await expect(dialog.getByLabel("Base URL")).toHaveValue("https://api.groq.com/openai/v1");
  await expect(dialog.getByLabel("Name")).toHaveValue("Groq");
  // Skyloom endpoints are announced, not faked: disabled, with the reason in words.
  await expect(dialog.getByRole("radio", { name: /Skyloom endpoints/ })).toBeDisabled();
  await expect(dialog.getByTestId("preset-note-skyloom")).toContainText("once deployed endpoints exist");
  await dialog.getByRole("radio", { name: "Another OpenAI-compatible URL" }).check();
  await expect(dialog.getByLabel("Base URL")).toHaveValue("");
  await dialog.getByLabel("Name").fill("Local provider");
  await dialog.getByLabel("API key").fill(PROVIDER_KEY);
  await dialog.getByLabel("Base URL").fill(provider.url);
  await dialog.getByRole("button", { name: "Save credential" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId("credential-row").filter({ hasText: "Local provider" })).toContainText(provider.url);
  // A second credential whose key the provider refuses.
  await trpcCall(page.request, "credential.create", { name: "Stale key", kind: "openai", secret: "sk-stale-0000000000", baseUrl: provider.url });

  await page.goto("/");
  await createFlow(page, "Models");
  await dragBlock(page, "model.openai", { x: 300, y: 200 });
  await nodeOfType(page, "model.openai").click();
  const panel = page.getByTestId("config-panel");
  const answersWith = panel.getByTestId("model-answers-with");
  await expect(answersWith).toHaveText(
    "Answers with Skyloom's local development model (not a language model) — add a credential to use a real model.",
  );

  const credential = panel.getByTestId("field-credentialId");
  await credential.selectOption({ label: (await credential.locator("option", { hasText: "Local provider" }).textContent()) ?? "" });
  await expect(answersWith).toHaveText(`Answers with skyloom-dev at ${host} using credential “Local provider”.`);

  // The list comes from the provider's /v1/models, asked by the server with the credential's key.
  await panel.getByRole("button", { name: "Show the provider's models" }).click();
  const list = panel.getByRole("listbox");
  await expect(list.getByRole("option")).toHaveText([...PROVIDER_MODELS].sort());
  await list.getByRole("option", { name: "qwen2.5-7b-instruct" }).click();
  await expect(list).toHaveCount(0);
  await expect(panel.getByTestId("field-model")).toHaveValue("qwen2.5-7b-instruct");
  await expect(answersWith).toHaveText(`Answers with qwen2.5-7b-instruct at ${host} using credential “Local provider”.`);

  // Free text still works, and narrows the list as you type.
  await panel.getByTestId("field-model").fill("llama");
  await expect(panel.getByRole("listbox").getByRole("option")).toHaveText(["llama-3.1-8b-instruct"]);
  await panel.getByTestId("field-model").fill("my-own-finetune");
  await expect(panel.getByText("No listed model matches “my-own-finetune”; any name the provider knows works.")).toBeVisible();
  await page.keyboard.press("Escape");
  await waitSaved(page);
  await page.reload();
  await nodeOfType(page, "model.openai").click();
  await expect(panel.getByTestId("field-model")).toHaveValue("my-own-finetune");
  await expect(answersWith).toHaveText(`Answers with my-own-finetune at ${host} using credential “Local provider”.`);

  // A refused key is said in words where the list would be.
  await credential.selectOption({ label: (await credential.locator("option", { hasText: "Stale key" }).textContent()) ?? "" });
  await panel.getByRole("button", { name: "Show the provider's models" }).click();
  await expect(panel.getByTestId("model-list-error")).toHaveText(`Could not list models at ${provider.url}: 401 Unauthorized — check the API key`);
  await page.keyboard.press("Escape");

  // The block's own provider preset wins over the credential's URL, and the sentence follows.
  const providerSelect = panel.getByTestId("field-baseUrl-provider");
  await expect(providerSelect.locator("option", { hasText: "Skyloom endpoints" })).toBeDisabled();
  await providerSelect.selectOption({ label: "OpenAI" });
  await expect(panel.getByTestId("field-baseUrl-url")).toHaveText("https://api.openai.com/v1");
  await expect(answersWith).toHaveText("Answers with my-own-finetune at api.openai.com using credential “Stale key”.");

  // Words a new user may not know explain themselves on hover.
  await panel.getByTestId("config-advanced-toggle").click();
  await panel.locator('[data-field="temperature"]').getByRole("button", { name: "What does this mean?" }).hover();
  await expect(page.getByRole("tooltip")).toContainText("How varied the answers are");
});

sharedTest("the Use it panel explains its words on hover, has a streaming curl, and names new keys apart", async ({ page }) => {
  await signUp(page, uniqueEmail("words"));
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Words", graph: promptAgentGraph("Hi. {input}") });
  await trpcCall(page.request, "agent.publish", { flowId: flow.id, slug: "words-bot" });
  await page.goto(`/flows/${flow.id}`);
  await page.getByTestId("panel-tab-publish").click();
  const panel = page.getByTestId("publish-panel");
  await expect(panel.getByLabel("Name in the API")).toHaveValue("words-bot");

  await panel.locator("form", { has: page.getByLabel("Name in the API") }).getByRole("button", { name: "What does this mean?" }).hover();
  await expect(page.getByRole("tooltip")).toContainText("“model” field");

  // Without a key in the code, the page says where the code reads it from.
  await panel.getByRole("tab", { name: "curl" }).click();
  await expect(panel.getByTestId("publish-snippet")).toContainText("$SKYLOOM_API_KEY");
  await expect(panel.getByTestId("snippet-key-env")).toContainText("reads the key from the SKYLOOM_API_KEY environment variable");
  await expect(panel.getByTestId("publish-snippet")).not.toContainText('"stream": true');
  await panel.getByTestId("snippet-stream").check();
  await expect(panel.getByTestId("publish-snippet")).toContainText("curl -N ");
  await expect(panel.getByTestId("publish-snippet")).toContainText('"stream": true');

  // Two keys made here get two names.
  await panel.getByRole("button", { name: "New key for this agent" }).click();
  await expect(panel.getByTestId("new-key-notice")).toBeVisible();
  await panel.getByRole("button", { name: "New key for this agent" }).click();
  const keyPicker = panel.getByLabel("API key", { exact: true });
  await expect(keyPicker.locator("option", { hasText: /^words-bot key 2 / })).toHaveCount(1);
  await expect(keyPicker.locator("option", { hasText: /^words-bot key \(/ })).toHaveCount(1);
});
