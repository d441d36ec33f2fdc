import { test as base, expect, type Page } from "@playwright/test";
import { startHeldModel, type HeldModel } from "./held-model";
import { waitForHydration } from "./hydration";
import { startBuiltServer, type StartedServer } from "./server";

/** Playwright's test with baseURL pointing at the Skyloom started by global-setup. */
export const test = base.extend({
  // Playwright reads fixture dependencies from the destructuring pattern, so it must be there.
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    const url = process.env.SKYLOOM_E2E_URL;
    if (!url) throw new Error("SKYLOOM_E2E_URL is not set; run the suite with `npm run test:e2e`.");
    await use(url);
  },
});

export { expect };

let counter = 0;
/** A unique email per call, so specs never collide on the shared server. */
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${counter}@example.com`;
}

export const TEST_PASSWORD = "correct-horse-battery";

/** Signs up through the real form and waits for the dashboard. */
export async function signUp(page: Page, email: string, name = "Test User"): Promise<void> {
  await page.goto("/signup");
  // A click before hydration would submit the form natively instead of signing up.
  await waitForHydration(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("heading", { name: "Flows" })).toBeVisible();
  await waitForHydration(page);
}

/**
 * The test with its own Skyloom whose local development model streams at a model-like pace
 * (40 ms a chunk), so a spec can watch an answer arrive piece by piece or cancel midway.
 */
export const pacedTest = test.extend<object, { paced: StartedServer }>({
  paced: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startBuiltServer({ SKYLOOM_DEV_MODEL_CHUNK_DELAY_MS: "40" });
      await use(server);
      await server.stop();
    },
    // Its own time budget: starting a server on a busy machine must not eat the first test's.
    { scope: "worker", timeout: 120_000 },
  ],
  baseURL: async ({ paced }, use) => use(paced.url),
});

/**
 * The test with its own Skyloom whose default chat model is a held upstream (held-model.ts):
 * it streams a first few words and never finishes on its own, so a spec can cancel a run
 * that is certainly still running.
 */
export const heldModelTest = test.extend<object, { held: { server: StartedServer; model: HeldModel } }>({
  held: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const model = await startHeldModel();
      const server = await startBuiltServer({ OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: "held-model-key" });
      await use({ server, model });
      await server.stop();
      await model.close();
    },
    { scope: "worker", timeout: 120_000 },
  ],
  baseURL: async ({ held }, use) => use(held.server.url),
});
