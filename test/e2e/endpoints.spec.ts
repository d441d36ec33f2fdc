import { trpcCall } from "./support/agent-api";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { gotoHydrated } from "./support/hydration";

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

test("an endpoint's page: the log search narrows the lines; stop, start and delete each ask first and the status follows", async ({ page }) => {
  await signUp(page, uniqueEmail("endpoint-life"), "Eli");
  const created = await trpcCall<{ id: string; slug: string }>(page.request, "endpoint.create", {
    modelId: "Qwen/Qwen2.5-7B-Instruct",
    durationHours: null,
    idleMinutes: null,
  });
  await gotoHydrated(page, `/endpoints/${created.id}`);
  const status = page.getByTestId("endpoint-status");
  await expect(status).toHaveAttribute("data-status", "ready", { timeout: 90_000 });

  // A playground request adds to the node's log lines; the search keeps only the lines that
  // contain the words, whatever their case.
  await page.getByLabel("Message").fill("Say hello");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("playground-answer").last()).not.toHaveText(/^…?$/);
  const lines = page.getByTestId("log-line");
  await expect.poll(() => lines.count(), { timeout: 30_000 }).toBeGreaterThan(1);
  const all = await lines.allTextContents();
  const word = all.flatMap((l) => l.split(/\s+/)).find((w) => /^[a-z]{5,}$/i.test(w) && all.some((l) => !l.toLowerCase().includes(w.toLowerCase())));
  if (!word) throw new Error(`No word tells the log lines apart: ${all.join(" | ")}`);
  await page.getByLabel("Search the logs").fill(word.toUpperCase());
  await expect(lines.first()).toBeVisible();
  await expect.poll(async () => (await lines.allTextContents()).every((l) => l.toLowerCase().includes(word.toLowerCase()))).toBe(true);
  expect(await lines.count()).toBeLessThan(all.length);
  await page.getByLabel("Search the logs").fill("");
  await expect.poll(() => lines.count()).toBeGreaterThanOrEqual(all.length);

  // Stop asks first; cancelling changes nothing.
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  const stopDialog = page.getByRole("dialog", { name: `Stop ${created.slug}?` });
  await expect(stopDialog).toContainText("billing stops");
  await stopDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(stopDialog).toHaveCount(0);
  await expect(status).toHaveAttribute("data-status", "ready");
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("button", { name: "Stop endpoint" }).click();
  await expect(status).toHaveAttribute("data-status", "stopped");
  await expect(page.getByTestId("playground")).toContainText("The endpoint is stopped");
  await expect(page.getByRole("button", { name: "Stop", exact: true })).toHaveCount(0);

  // Start orders it again under the same name; it is ready again and the playground opens.
  await page.getByRole("button", { name: "Start" }).click();
  await expect(page.getByRole("button", { name: "Stop", exact: true })).toBeVisible();
  await expect(status).toHaveAttribute("data-status", "ready", { timeout: 90_000 });
  await expect(page.getByTestId("endpoint-timeline")).toHaveAttribute("data-outcome", "ready");
  await expect(page.getByTestId("endpoint-slug")).toContainText(created.slug);
  await expect(page.getByTestId("playground")).not.toContainText("The endpoint is stopped");

  // Delete asks first, then the endpoint is gone from the list.
  await page.getByRole("button", { name: "Delete" }).click();
  const deleteDialog = page.getByRole("dialog", { name: `Delete ${created.slug}?` });
  await expect(deleteDialog).toContainText("Its lease ends");
  await deleteDialog.getByRole("button", { name: "Delete endpoint" }).click();
  await expect(page).toHaveURL(/\/endpoints$/);
  await expect(page.getByTestId("endpoints-empty")).toBeVisible();
});
