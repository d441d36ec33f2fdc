import { expect, signUp, test, TEST_PASSWORD, uniqueEmail } from "./support/fixtures";
import { waitForHydration } from "./support/hydration";

test("invite by link: the invited person signs up, accepts and appears in members; role change; remove; revoke", async ({ page, browser, baseURL }) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await signUp(page, uniqueEmail("owner"), "Olive");
  await page.getByTestId("team-switcher").click();
  await page.getByRole("menuitem", { name: "New team…" }).click();
  await page.getByLabel("Team name").fill("Acme");
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByTestId("team-switcher")).toContainText("Acme");

  await page.getByTestId("settings-link").click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { name: "Members of Acme" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByTestId("member-row")).toHaveCount(1);
  await expect(page.getByText("Email is not set up on this Skyloom (SMTP_URL)")).toBeVisible();

  // A mistake is named under its field, and nothing is created.
  const invite = page.getByRole("form", { name: "Invite someone" });
  await invite.getByLabel("Email").fill("not-an-email");
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(invite.getByText("Enter a valid email address")).toBeVisible();

  const newcomer = uniqueEmail("newcomer");
  await invite.getByLabel("Email").fill(newcomer);
  await invite.getByLabel("Role").selectOption("editor");
  await invite.getByRole("button", { name: "Invite" }).click();
  const created = page.getByTestId("created-invitation");
  await expect(created).toContainText(`send this link to ${newcomer} yourself`);
  await created.getByRole("button", { name: "Copy invitation link" }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  const link = await page.evaluate(() => navigator.clipboard.readText());
  await expect(created.getByTestId("invitation-link")).toHaveText(link);
  await expect(page.getByTestId("invitation-row").filter({ hasText: newcomer })).toContainText("editor");

  // The invited person opens the link logged out, signs up with the invited address, and comes back to it.
  const theirs = await browser.newContext({ baseURL });
  const guest = await theirs.newPage();
  await guest.goto(new URL(link).pathname);
  await expect(guest.getByRole("heading", { name: "You have an invitation" })).toBeVisible();
  await expect(guest.getByText("Acme")).toHaveCount(0);
  await waitForHydration(guest);
  await guest.getByRole("link", { name: "Sign up" }).click();
  await expect(guest.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await waitForHydration(guest);
  await guest.getByLabel("Name").fill("Nia");
  await guest.getByLabel("Email").fill(newcomer);
  await guest.getByLabel("Password").fill(TEST_PASSWORD);
  await guest.getByRole("button", { name: "Sign up" }).click();
  await expect(guest.getByRole("heading", { name: "Join Acme?" })).toBeVisible();
  await expect(guest.getByText("Olive (")).toBeVisible();
  await expect(guest.getByTestId("invitation-role")).toHaveText("editor");
  await waitForHydration(guest);
  await guest.getByRole("button", { name: "Accept" }).click();
  await expect(guest.getByRole("heading", { name: "You joined Acme" })).toBeVisible();
  await expect(guest.getByText("Your current team has not changed")).toBeVisible();
  // The link was single use.
  await guest.reload();
  await expect(guest.getByText("This invitation has already been used.")).toBeVisible();

  // The owner sees the new member, with the role from the invitation, and no open invitation.
  await page.reload();
  const row = page.getByTestId("member-row").filter({ hasText: newcomer });
  await expect(row).toContainText("Nia");
  await expect(row.getByLabel(`Role of ${newcomer}`)).toHaveValue("editor");
  await expect(page.getByTestId("invitation-row")).toHaveCount(0);
  await waitForHydration(page);

  // Role change, kept after a reload.
  await row.getByLabel(`Role of ${newcomer}`).selectOption("viewer");
  await expect(page.getByRole("status").filter({ hasText: `${newcomer} is now a viewer.` })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("member-row").filter({ hasText: newcomer }).getByLabel(`Role of ${newcomer}`)).toHaveValue("viewer");
  await waitForHydration(page);

  // Remove, after confirming.
  await page.getByRole("button", { name: `Remove ${newcomer}` }).click();
  const confirm = page.getByRole("dialog", { name: `Remove ${newcomer}?` });
  await confirm.getByRole("button", { name: "Remove" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId("member-row")).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId("member-row")).toHaveCount(1);
  await guest.goto("/");
  await waitForHydration(guest);
  await guest.getByTestId("team-switcher").click();
  await expect(guest.getByRole("menuitem", { name: /Nia's team/ })).toBeVisible();
  await expect(guest.getByRole("menuitem", { name: /Acme/ })).toHaveCount(0);
  await guest.keyboard.press("Escape");

  // Revoke an open invitation: its link stops working.
  await waitForHydration(page);
  const other = uniqueEmail("other");
  await invite.getByLabel("Email").fill(other);
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(created).toContainText(`send this link to ${other} yourself`);
  const otherLink = await created.getByTestId("invitation-link").textContent();
  await page.getByRole("button", { name: `Revoke the invitation for ${other}` }).click();
  await page.getByRole("dialog", { name: `Revoke the invitation for ${other}?` }).getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("No open invitations.")).toBeVisible();
  await guest.goto(new URL(otherLink ?? "").pathname);
  await expect(guest.getByText("This invitation was withdrawn by the team.")).toBeVisible();
  await theirs.close();
});

test("someone logged in with another address cannot accept, and can switch accounts", async ({ page, browser, baseURL }) => {
  await signUp(page, uniqueEmail("owner"), "Olive");
  await page.goto("/settings/members");
  await waitForHydration(page);
  const invited = uniqueEmail("invited");
  const invite = page.getByRole("form", { name: "Invite someone" });
  await invite.getByLabel("Email").fill(invited);
  await invite.getByRole("button", { name: "Invite" }).click();
  const link = await page.getByTestId("invitation-link").textContent();

  const theirs = await browser.newContext({ baseURL });
  const someoneElse = await theirs.newPage();
  await signUp(someoneElse, uniqueEmail("else"));
  await someoneElse.goto(new URL(link ?? "").pathname);
  await expect(someoneElse.getByText(/This invitation is for i•••@example\.com, and you are logged in as/)).toBeVisible();
  await expect(someoneElse.getByRole("button", { name: "Accept" })).toHaveCount(0);
  await waitForHydration(someoneElse);
  await someoneElse.getByRole("button", { name: "Log out and use another account" }).click();
  await expect(someoneElse.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expect(someoneElse).toHaveURL(/\/login\?next=%2Finvite%2F/);
  await theirs.close();
});
