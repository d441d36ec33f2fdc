/**
 * A deployment paid from escrow in the browser (ADR 031), on a host with billing on its embedded
 * devnet and its embedded nodes: with no money the endpoint form says what to add; "Get test
 * SPON" funds the team; the endpoint deploys, its page shows the escrow held and the spend
 * rising by the second; Billing shows the hold, the statement line naming the endpoint, and its
 * lease spend, its playground call and that call's tokens in the charts by endpoint; stopping
 * returns the rest.
 */
import type { Page } from "@playwright/test";
import { expect, signUp, test as base, uniqueEmail } from "./support/fixtures";
import { gotoHydrated } from "./support/hydration";
import { startBuiltServer, type StartedServer } from "./support/server";

const test = base.extend<object, { billingHost: StartedServer }>({
  billingHost: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startBuiltServer({ SKYLOOM_BILLING: "on", SKYLOOM_WELCOME_TEST_SPON: "0", CHAIN_CONFIRMATIONS: "1" });
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 120_000 },
  ],
  baseURL: async ({ billingHost }, use) => use(billingHost.url),
});

/** /endpoints/new with the small Qwen chat model picked, for one hour. */
async function chooseQwen(page: Page) {
  await gotoHydrated(page, "/endpoints/new");
  await page.getByLabel("Task").selectOption("chat");
  await page.getByLabel("Size").selectOption("small");
  await page.getByLabel("Search models").fill("qwen");
  const entry = page.getByTestId("endpoint-catalog").getByTestId("catalog-entry").first();
  await expect(entry).toContainText(/Qwen/i);
  await entry.click();
  await expect(page.getByTestId("endpoint-choice")).toContainText(/Qwen/i);
}

test("Get test SPON → deploy an endpoint: escrow held, spend by the second, the statement and the chart by endpoint; stop returns the rest", async ({ page }) => {
  await signUp(page, uniqueEmail("lease"));

  // No money yet: the form says what the deployment needs and what is available.
  await chooseQwen(page);
  await page.getByRole("button", { name: "Deploy" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Add funds" })).toContainText(/this deployment needs [\d.]+ SPON in escrow, available 0 SPON/);
  await expect(page).toHaveURL(/\/endpoints\/new$/);

  await page.getByTestId("billing-link").click();
  await page.getByLabel("Test SPON (devnet)").fill("20");
  await page.getByRole("button", { name: "Get test SPON" }).click();
  await expect(page.getByTestId("balance-available")).toContainText("20.00 SPON", { timeout: 30_000 });

  await chooseQwen(page);
  await page.getByRole("button", { name: "Deploy" }).click();
  await expect(page).toHaveURL(/\/endpoints\/[^/]+$/);
  const slug = (await page.getByTestId("endpoint-slug").textContent()) ?? "";
  await expect(page.getByTestId("endpoint-status")).toHaveAttribute("data-status", "ready", { timeout: 60_000 });
  const escrow = page.getByTestId("endpoint-escrow");
  await expect(escrow.getByTestId("endpoint-escrow-held")).not.toHaveAttribute("data-wei", "0");
  // The lease streams by the second: "spent so far" leaves zero and keeps rising.
  const spent = escrow.getByTestId("endpoint-escrow-spent");
  await expect(spent).not.toHaveAttribute("data-wei", "0", { timeout: 20_000 });
  const first = BigInt((await spent.getAttribute("data-wei")) ?? "0");
  await expect.poll(async () => BigInt((await spent.getAttribute("data-wei")) ?? "0"), { timeout: 20_000 }).toBeGreaterThan(first);
  // One call through the playground: usage by endpoint counts it.
  await page.getByLabel("Message").fill("Say hello");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("playground-answer").last()).not.toHaveText(/^…?$/);
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();

  // Billing: the hold, the statement line naming the endpoint, its spend in the chart by endpoint.
  await page.getByTestId("billing-link").click();
  await expect(page.getByTestId("balance-held")).not.toContainText(/^\D*0\.00 SPON/);
  await expect(page.getByTestId("statement-row").filter({ hasText: `Held for endpoint ${slug}` })).toBeVisible();
  const charts = page.getByTestId("spend-charts");
  await charts.getByLabel("Endpoint").check();
  await expect(charts.getByTestId("spend-chart")).toContainText(slug);
  await expect(charts.getByTestId("spend-chart").locator(".recharts-bar-rectangle path").first()).toBeVisible();
  // …and the call it served, with its tokens.
  await expect(charts.getByTestId("usage-totals")).toContainText(/ · 1 request · [1-9][\d,]* tokens/);
  await expect(charts.getByTestId("requests-chart")).toContainText(slug);
  await expect(charts.getByTestId("tokens-chart").locator(".recharts-bar-rectangle path").first()).toBeVisible();

  // Stop: the lease closes and what it did not use comes back.
  await page.goBack();
  await expect(page.getByTestId("endpoint-status")).toBeVisible();
  await page.getByRole("button", { name: "Stop" }).click();
  await page.getByRole("button", { name: "Stop endpoint" }).click();
  await expect(page.getByTestId("endpoint-status")).toHaveAttribute("data-status", "stopped");
  await expect(escrow.getByTestId("endpoint-escrow-held")).toHaveAttribute("data-wei", "0");
  // The refund is posted once the close is confirmed on the chain, maybe a block after the page
  // loaded: the page follows the balance while money is held, and the statement follows it.
  await gotoHydrated(page, "/billing");
  await expect(page.getByTestId("balance-held")).toContainText("0.00 SPON", { timeout: 30_000 });
  await expect(page.getByTestId("statement-row").filter({ hasText: `Lease of endpoint ${slug} closed: unused escrow returned` })).toBeVisible();
});
