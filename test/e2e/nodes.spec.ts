import { expect, signUp, test, uniqueEmail } from "./support/fixtures";

test("Settings → Nodes: a join token is shown once in the command to run, listed by its prefix, and revoked", async ({ page }) => {
  await signUp(page, uniqueEmail("nodes"), "Noa");
  await page.getByTestId("settings-link").click();
  await page.getByRole("link", { name: "Nodes" }).click();
  await expect(page.getByRole("heading", { name: "Join tokens" })).toBeVisible();
  // The host's embedded nodes are in the marketplace.
  await expect(page.getByTestId("market-node-row").first()).toBeVisible();

  await page.getByLabel("Token name").fill("gaming PC");
  await page.getByRole("button", { name: "Create join token" }).click();
  const command = page.getByTestId("join-command");
  await expect(command).toHaveText(/^skyloom node --kind fizz --join http:\/\/\S+\/market\/v1 --token sky_nt_\S+$/);
  const token = /--token (\S+)$/.exec((await command.textContent()) ?? "")?.[1] ?? "";
  const row = page.getByTestId("join-token-row").filter({ hasText: "gaming PC" });
  await expect(row).toContainText(`${token.slice(0, 11)}…`);
  // The list never shows the whole token.
  await expect(page.getByTestId("join-token-list")).not.toContainText(token);

  await row.getByRole("button", { name: "Revoke gaming PC" }).click();
  await page.getByRole("button", { name: "Revoke token" }).click();
  await expect(row).toContainText("revoked");
});
