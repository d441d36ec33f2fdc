import { expect, signUp, test, uniqueEmail } from "./support/fixtures";

test("a model endpoint from /endpoints/new: ready, the playground streams, logs show, stop", async ({ page }) => {
  await signUp(page, uniqueEmail("endpoints"), "Ena");
  await page.getByTestId("endpoints-link").click();
  await expect(page.getByRole("heading", { name: "Endpoints" })).toBeVisible();
  await expect(page.getByTestId("endpoints-empty")).toBeVisible();
  await page.getByRole("link", { name: "New endpoint" }).click();

  // The catalog filters by task and size and searches; each model says which GPU and why.
  const catalog = page.getByTestId("endpoint-catalog");
  await expect(catalog.getByTestId("catalog-entry").first()).toBeVisible();
  await page.getByLabel("Task").selectOption("embeddings");
  await expect(catalog.getByTestId("catalog-entry").first()).toContainText("Embeddings");
  await page.getByLabel("Task").selectOption("chat");
  await page.getByLabel("Size").selectOption("small");
  await page.getByLabel("Search models").fill("qwen");
  const entry = catalog.getByTestId("catalog-entry").first();
  await expect(entry).toContainText(/Qwen/i);
  await expect(entry.getByTestId("catalog-gpu")).toContainText(/\d× .+: .+/);
  await expect(entry.getByTestId("catalog-price")).toHaveText(/SPON\/h$/);
  await entry.click();
  await expect(page.getByTestId("endpoint-choice")).toContainText(/Qwen/i);
  await page.getByLabel("Until stopped").check();
  await expect(page.getByTestId("endpoint-commitment")).toContainText("until you stop it");
  await page.getByRole("button", { name: "Deploy" }).click();

  // The endpoint page: it reaches ready, with the way there on the timeline and the bids.
  await expect(page).toHaveURL(/\/endpoints\/[^/]+$/);
  await expect(page.getByTestId("endpoint-status")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  await expect(page.getByTestId("endpoint-timeline")).toHaveAttribute("data-outcome", "ready");
  await expect(page.getByTestId("endpoint-timeline").locator('[data-step="lease"]')).toContainText(/by \S+/);
  await expect(page.getByTestId("bid-row").first()).toBeVisible();
  await expect(page.getByTestId("endpoint-backend")).toContainText("not a real LLM");
  await expect(page.getByTestId("endpoint-url")).toContainText("/v1");
  const slug = (await page.getByTestId("endpoint-slug").textContent()) ?? "";
  expect(slug.length).toBeGreaterThan(0);
  await expect(page.getByTestId("endpoint-snippet")).toContainText(`"model": "${slug}"`);
  await expect(page.getByTestId("endpoint-snippet")).toContainText("$SKYLOOM_API_KEY");

  // The playground streams an answer.
  await page.getByLabel("Message").fill("Say hello");
  await page.getByRole("button", { name: "Send" }).click();
  const answer = page.getByTestId("playground-answer").last();
  await expect(answer).not.toHaveText(/^…?$/);
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();

  // Logs show the node's lines, and the search narrows them.
  await expect(page.getByTestId("log-line").first()).toBeVisible();
  await page.getByLabel("Search the logs").fill("no line says this 7f3a");
  await expect(page.getByTestId("endpoint-logs")).toContainText("No line matches the search.");
  await expect(page.getByTestId("log-line")).toHaveCount(0);
  await page.getByLabel("Search the logs").fill("");
  await expect(page.getByTestId("log-line").first()).toBeVisible();

  // The playground request shows in the metrics.
  await expect(page.getByTestId("metrics-requests")).not.toHaveText("0");

  // Stop asks first, then the endpoint is stopped and the playground says so.
  await page.getByRole("button", { name: "Stop" }).click();
  await page.getByRole("button", { name: "Stop endpoint" }).click();
  await expect(page.getByTestId("endpoint-status")).toHaveAttribute("data-status", "stopped");
  await expect(page.getByTestId("playground")).toContainText("The endpoint is stopped");
  await page.getByTestId("endpoints-link").click();
  await expect(page.getByTestId("endpoint-row")).toContainText(slug);
});
