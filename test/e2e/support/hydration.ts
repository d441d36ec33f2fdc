import type { Page } from "@playwright/test";

/**
 * Waits until the page is hydrated (app/root.tsx marks <html>): server-rendered buttons are on
 * screen before React handles their clicks, and a click before that does nothing.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: "attached" });
}

/** Opens a Skyloom page and waits until it answers clicks and typing. */
export async function gotoHydrated(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForHydration(page);
}

/** Reloads a Skyloom page and waits until it answers clicks and typing again. */
export async function reloadHydrated(page: Page): Promise<void> {
  await page.reload();
  await waitForHydration(page);
}
