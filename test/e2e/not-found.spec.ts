import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { waitForHydration } from "./support/hydration";

// A 404 under a layout route (/settings/…) used to fail hydration: the server rendered the root
// error page while the client's lazy route discovery matched the settings layout.
test("an unknown address answers 404 with the error page and hydrates without errors", async ({ page }) => {
  await signUp(page, uniqueEmail("notfound"), "Nina");
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));

  for (const path of ["/settings/nope", "/settings/credentials/nope", "/no-such-page"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await waitForHydration(page);
    await page.getByRole("link", { name: "Back to the dashboard" }).click();
    await expect(page.getByRole("heading", { name: "Flows" })).toBeVisible();
  }
  expect(pageErrors).toEqual([]);
});
