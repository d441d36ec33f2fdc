import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { reloadHydrated } from "./support/hydration";

test("settings: add, rename and delete a credential; the secret is only ever shown masked", async ({ page }) => {
  await signUp(page, uniqueEmail("creds"));
  await page.getByTestId("settings-link").click();
  await expect(page).toHaveURL(/\/settings\/credentials$/);
  await expect(page.getByRole("heading", { name: "Credentials" })).toBeVisible();

  // A mistake is named next to its field and nothing is saved.
  await page.getByTestId("credential-add").click();
  const dialog = page.getByRole("dialog", { name: "Add credential" });
  await dialog.getByLabel("Name").fill("My OpenAI");
  await dialog.getByLabel("API key").fill("sk-proj-abcdefghijklmnop-9876");
  await dialog.getByLabel("Base URL").fill("ftp://nope");
  await dialog.getByRole("button", { name: "Save credential" }).click();
  await expect(dialog.getByText("Enter an http(s) URL")).toBeVisible();
  await dialog.getByLabel("Base URL").fill("http://localhost:11434/v1");
  await dialog.getByRole("button", { name: "Save credential" }).click();
  await expect(dialog).toHaveCount(0);

  const row = page.getByTestId("credential-row").filter({ hasText: "My OpenAI" });
  await expect(row).toContainText("OpenAI-compatible API key");
  await expect(row).toContainText("http://localhost:11434/v1");
  await expect(row.getByTestId("credential-masked")).toHaveText("••••••9876");
  // The secret is nowhere on the page or in the data the page loaded.
  expect(await page.content()).not.toContain("abcdefghijklmnop");
  await reloadHydrated(page);
  expect(await page.content()).not.toContain("abcdefghijklmnop");

  // A generic secret too.
  await page.getByTestId("credential-add").click();
  await dialog.getByLabel("Name").fill("CRM token");
  await dialog.getByLabel("Kind").selectOption("secret");
  await expect(dialog.getByLabel("Base URL")).toHaveCount(0);
  await dialog.getByLabel("Secret").fill("crm-0123456789");
  await dialog.getByRole("button", { name: "Save credential" }).click();
  await expect(page.getByTestId("credential-row")).toHaveCount(2);

  await page.getByRole("button", { name: "Rename My OpenAI" }).click();
  const renameDialog = page.getByRole("dialog", { name: "Rename credential" });
  await renameDialog.getByLabel("Name").fill("CRM token");
  await renameDialog.getByRole("button", { name: "Rename" }).click();
  await expect(renameDialog.getByText('A credential named "CRM token" already exists')).toBeVisible();
  await renameDialog.getByLabel("Name").fill("Local Ollama");
  await renameDialog.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByTestId("credential-row").filter({ hasText: "Local Ollama" })).toHaveCount(1);

  await page.getByRole("button", { name: "Delete CRM token" }).click();
  await page.getByRole("dialog", { name: "Delete credential?" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("credential-row")).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId("credential-row")).toHaveText(/Local Ollama/);
});
