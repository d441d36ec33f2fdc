import { expect, signUp, test, TEST_PASSWORD, uniqueEmail } from "./support/fixtures";

test("sign up, create a flow, reload, log out and back in", async ({ page }) => {
  const email = uniqueEmail("ada");
  await signUp(page, email, "Ada");
  await expect(page.getByTestId("current-user")).toHaveText(email);
  await expect(page.getByText("No flows in this team yet")).toBeVisible();

  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByLabel("Flow name").fill("Support bot");
  await page.getByRole("button", { name: "Create flow" }).click();
  await expect(page).toHaveURL(/\/flows\/flow_/);

  await page.goto("/");
  await page.reload();
  await expect(page.getByRole("link", { name: /Support bot/ })).toBeVisible();

  // In a narrow window the header keeps one line: its links and buttons do not wrap.
  await page.setViewportSize({ width: 800, height: 700 });
  // The API keys link gives way (it is in Settings' menu); Settings keeps its icon and its name.
  await expect(page.getByTestId("api-keys-link")).toBeHidden();
  for (const item of [page.getByRole("link", { name: "Settings", exact: true }), page.getByRole("link", { name: "Billing" }), page.getByRole("button", { name: "Log out" }), page.getByTestId("team-switcher")]) {
    expect((await item.boundingBox())?.height).toBeLessThan(40);
  }
  // …and none is pushed out of the window.
  const logOut = (await page.getByRole("button", { name: "Log out" }).boundingBox())!;
  expect(logOut.x + logOut.width).toBeLessThanOrEqual(800);
  await page.setViewportSize({ width: 1280, height: 720 });

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("link", { name: /Support bot/ })).toBeVisible();
});

test("after five wrong passwords from this address the login form says when to try again", async ({ page }) => {
  const email = uniqueEmail("locked");
  await signUp(page, email);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // Five wrong guesses through the API, one request each, as a script would send them.
  for (let i = 0; i < 5; i++) {
    const res = await page.request.post("/api/trpc/auth.login", { data: { email, password: `wrong-guess-${i}` } });
    expect(res.status()).toBe(401);
  }
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("Too many failed logins to this account from your address. Try again in 15 minutes.")).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});
