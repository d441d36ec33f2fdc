import { retrieverPromptGraph } from "../fixtures/agent-graphs";
import { makePdf } from "../support/documents";
import { trpcCall } from "./support/agent-api";
import { nodeOfType, openPanel, waitSaved } from "./support/canvas";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { waitForHydration } from "./support/hydration";

const HANDBOOK = "# Travel\n\nTrains for trips under four hours.\n\n## Refunds\n\nRefund requests go to finance within thirty days.\n";

test("knowledge: make a base, drop files, watch them index, see a refusal, test a question with sources and scores, delete a document", async ({ page }) => {
  await signUp(page, uniqueEmail("knowledge"));
  await page.getByTestId("knowledge-link").click();
  await expect(page.getByTestId("knowledge-empty")).toBeVisible();

  await page.getByRole("button", { name: "New knowledge base" }).click();
  const dialog = page.getByRole("dialog", { name: "New knowledge base" });
  await dialog.getByLabel("Name").fill("Handbook");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Handbook" })).toBeVisible();

  // Several files at once: two documents and one PDF that is not a PDF.
  await page.getByTestId("knowledge-file-input").setInputFiles([
    { name: "handbook.md", mimeType: "text/markdown", buffer: Buffer.from(HANDBOOK) },
    { name: "museum.pdf", mimeType: "application/pdf", buffer: makePdf(["Opening hours", "The museum opens at ten on Sundays."]) },
    { name: "fake.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html>not a pdf</html>") },
  ]);
  await expect(page.getByTestId("upload-row").filter({ hasText: "fake.pdf" }).getByRole("alert")).toHaveText("fake.pdf is not a PDF: its content does not start with %PDF-.");
  const rows = page.getByTestId("document-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "handbook.md" }).getByTestId("document-status")).toHaveText("Indexed");
  await expect(rows.filter({ hasText: "museum.pdf" }).getByTestId("document-status")).toHaveText("Indexed");
  await expect(rows.filter({ hasText: "museum.pdf" })).toContainText("2 pages");

  // The chunks a document was cut into, with where they came from.
  await page.getByRole("button", { name: "Chunks of handbook.md" }).click();
  await expect(page.getByTestId("chunk-list")).toContainText("Travel › Refunds");

  await page.getByLabel("Question").fill("where do refund requests go");
  await page.getByRole("button", { name: "Search" }).click();
  const first = page.getByTestId("search-result").first();
  await expect(first).toContainText("handbook.md › Travel › Refunds");
  await expect(first).toContainText("Refund requests go to finance within thirty days.");
  await expect(first).toContainText(/score 0\.\d\d · keyword #1/);

  await page.getByLabel("Question").fill("museum sundays");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("search-result").first()).toContainText("museum.pdf, page 2");

  await page.getByRole("button", { name: "Delete museum.pdf" }).click();
  await page.getByRole("dialog", { name: "Delete museum.pdf?" }).getByRole("button", { name: "Delete document" }).click();
  await expect(rows).toHaveCount(1);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("search-results")).toContainText("Nothing matched.");

  // Turning on search by meaning embeds the documents in the background (the local development
  // model's embeddings here, which say they are not semantic), then both searches rank a passage.
  await page.getByRole("button", { name: "Settings" }).click();
  const settings = page.getByRole("dialog", { name: "Settings of Handbook" });
  await settings.getByLabel(/^Both/).check();
  // Where the embeddings come from: empty fields are the local development model, which needs no key;
  // a key is one of the team's saved credentials, added under Settings → Credentials.
  const endpoint = settings.getByTestId("embeddings-endpoint");
  await expect(endpoint.getByLabel("Embeddings base URL")).toHaveValue("");
  await expect(endpoint.getByTestId("embedding-credential")).toHaveValue("");
  await expect(endpoint.getByTestId("embedding-credential").locator("option:checked")).toHaveText("No credential");
  await expect(endpoint.getByRole("link", { name: "Add a credential" })).toHaveAttribute("href", "/settings/credentials");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings).toHaveCount(0);
  await expect(page.getByText(/Searches by keywords and meaning \(hybrid\)/)).toBeVisible();
  await expect(rows.getByTestId("document-status")).toHaveText("Indexed");
  await page.getByLabel("Question").fill("refund requests finance");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("search-result").first()).toContainText(/keyword #1 · vector #1/);
  await expect(page.getByText(/not semantic/)).toBeVisible();

  await page.getByRole("button", { name: "Delete Handbook", exact: true }).click();
  await page.getByRole("dialog", { name: "Delete Handbook?" }).getByRole("button", { name: "Delete knowledge base" }).click();
  await expect(page.getByTestId("knowledge-empty")).toBeVisible();
});

test("knowledge: pick the base in a Knowledge Retriever block, ask in the test chat, the answer cites the source", async ({ page }) => {
  await signUp(page, uniqueEmail("knowledge-chat"));
  const base = await trpcCall<{ id: string }>(page.request, "knowledge.create", { name: "Policies" });
  const uploaded = await page.request.post(`/api/knowledge/upload?knowledgeBaseId=${base.id}&name=handbook.md`, {
    headers: { "content-type": "application/octet-stream" },
    data: Buffer.from(HANDBOOK),
  });
  expect(uploaded.status()).toBe(200);
  await expect
    .poll(async () => (await trpcCall<{ status: string }[]>(page.request, "knowledge.documents.list", { knowledgeBaseId: base.id }, "query"))[0]?.status)
    .toBe("indexed");
  // The flow names a base this team does not have (as a flow copied from another team would):
  // validating marks the block red with what to do; no base at all is marked too.
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Answers", graph: retrieverPromptGraph("kb_of_another_team") });
  await page.goto(`/flows/${flow.id}`);
  await waitForHydration(page);
  const retriever = nodeOfType(page, "knowledge.retriever");
  await page.getByTestId("validate").click();
  await expect(retriever.getByTestId("block-node")).toHaveAttribute("data-invalid", "true");
  await expect(retriever.getByTestId("node-problems")).toContainText("The chosen knowledge base is not one of this team's");
  await retriever.click();
  await openPanel(page, "config");
  const panel = page.getByTestId("config-panel");
  await panel.getByTestId("field-knowledgeBaseId").selectOption({ label: "Choose a knowledge base" });
  await expect(retriever.getByTestId("node-problems")).toContainText("Choose a knowledge base in this block's settings.");
  // The person picks it from the team's list in the block's form, and the mark goes.
  await panel.getByTestId("field-knowledgeBaseId").selectOption({ label: "Policies (1 document)" });
  await expect(retriever.getByTestId("block-node")).not.toHaveAttribute("data-invalid");
  await waitSaved(page);

  await openPanel(page, "chat");
  const chat = page.getByTestId("chat-panel");
  await chat.getByTestId("chat-input").fill("Where do refund requests go?");
  await chat.getByTestId("chat-send").click();
  const answer = chat.getByTestId("chat-answer");
  await expect(answer).toHaveAttribute("data-status", "succeeded");
  await expect(answer).toContainText("[1] handbook.md › Travel › Refunds");
  await expect(answer).toContainText("Refund requests go to finance within thirty days.");
});
