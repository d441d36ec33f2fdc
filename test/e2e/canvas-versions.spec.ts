import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { gotoHydrated, reloadHydrated } from "./support/hydration";
import { createFlow, dragBlock, nodeOfType, openPanel, waitSaved } from "./support/canvas";

test("save a version, change the flow, preview the version read-only, restore it", async ({ page }) => {
  await signUp(page, uniqueEmail("versions"), "Vera");
  await createFlow(page, "Versions");
  await dragBlock(page, "io.chat-input", { x: 150, y: 150 });
  await dragBlock(page, "io.chat-output", { x: 450, y: 150 });
  await waitSaved(page);

  await openPanel(page, "versions");
  await page.getByLabel("Describe this version").fill("Two blocks");
  await page.getByRole("button", { name: "Save version" }).click();
  const first = page.getByTestId("version-item").filter({ hasText: "Two blocks" });
  await expect(first).toContainText("Version 1");
  await expect(first).toContainText("by Vera");

  // Change the flow: delete the output block.
  await nodeOfType(page, "io.chat-output").click();
  await page.keyboard.press("Delete");
  await expect(nodeOfType(page, "io.chat-output")).toHaveCount(0);
  await waitSaved(page);

  await openPanel(page, "versions");
  await first.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("preview-banner")).toContainText("version 1");
  await expect(nodeOfType(page, "io.chat-output")).toHaveCount(1);
  await expect(page.getByTestId("undo")).toBeDisabled(); // read-only while previewing
  await page.getByRole("button", { name: "Back to editing" }).click();
  await expect(nodeOfType(page, "io.chat-output")).toHaveCount(0);

  await first.getByRole("button", { name: "Restore" }).click();
  await expect(nodeOfType(page, "io.chat-output")).toHaveCount(1);
  // What was there before the restore is kept as a version, so the restore can be undone.
  await expect(page.getByTestId("version-item").filter({ hasText: "Before restoring version 1" })).toBeVisible();
  await page.reload();
  await expect(nodeOfType(page, "io.chat-output")).toHaveCount(1);
  await expect(nodeOfType(page, "io.chat-input")).toHaveCount(1);
});

test("a save from a stale tab is a conflict; keeping mine saves it as a version and loads theirs", async ({ page, context }) => {
  await signUp(page, uniqueEmail("conflict"));
  const path = await createFlow(page, "Two tabs");
  await dragBlock(page, "io.chat-input", { x: 150, y: 150 });
  await waitSaved(page);

  const other = await context.newPage();
  await gotoHydrated(other, path);
  await expect(nodeOfType(other, "io.chat-input")).toHaveCount(1);

  // Tab 1 saves first.
  await dragBlock(page, "io.chat-output", { x: 450, y: 150 });
  await waitSaved(page);

  // Tab 2 started from the older revision: its save is refused and it asks what to do.
  await dragBlock(other, "model.openai", { x: 300, y: 350 });
  await expect(other.getByRole("dialog", { name: "This flow was changed somewhere else" })).toBeVisible();
  await expect(other.getByTestId("save-status")).toHaveAttribute("data-status", "conflict");
  await other.getByTestId("conflict-keep-mine").click();
  await expect(other.getByRole("dialog")).toHaveCount(0);

  // Tab 2 now shows tab 1's flow; its own copy is a version.
  await expect(nodeOfType(other, "io.chat-output")).toHaveCount(1);
  await expect(nodeOfType(other, "model.openai")).toHaveCount(0);
  await openPanel(other, "versions");
  const kept = other.getByTestId("version-item").filter({ hasText: "My unsaved changes from a save conflict" });
  await expect(kept).toBeVisible();
  await kept.getByRole("button", { name: "Preview" }).click();
  await expect(nodeOfType(other, "model.openai")).toHaveCount(1);
  await other.getByRole("button", { name: "Back to editing" }).click();

  // Nothing was overwritten on the server: tab 1's work is still there after a reload.
  await page.reload();
  await expect(nodeOfType(page, "io.chat-output")).toHaveCount(1);
  await expect(nodeOfType(page, "model.openai")).toHaveCount(0);
});

test("reload theirs after a conflict keeps my changes one undo away", async ({ page, context }) => {
  await signUp(page, uniqueEmail("theirs"));
  const path = await createFlow(page, "Reload theirs");
  await dragBlock(page, "io.chat-input", { x: 150, y: 150 });
  await waitSaved(page);
  const other = await context.newPage();
  await gotoHydrated(other, path);
  await dragBlock(page, "io.chat-output", { x: 450, y: 150 });
  await waitSaved(page);
  await dragBlock(other, "model.openai", { x: 300, y: 350 });
  await other.getByTestId("conflict-reload").click();
  await expect(nodeOfType(other, "io.chat-output")).toHaveCount(1);
  await expect(nodeOfType(other, "model.openai")).toHaveCount(0);
  await expect(other.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
  await other.getByTestId("undo").click();
  await expect(nodeOfType(other, "model.openai")).toHaveCount(1);
});

test("a viewer sees the flow read-only: no palette adds, disabled fields, nothing saved", async ({ page, browser }) => {
  const viewerEmail = uniqueEmail("viewer");
  const viewerContext = await browser.newContext({ baseURL: test.info().project.use.baseURL ?? process.env.SKYLOOM_E2E_URL });
  const viewer = await viewerContext.newPage();
  await signUp(viewer, viewerEmail, "Vic");

  await signUp(page, uniqueEmail("owner"));
  const path = await createFlow(page, "Shared");
  await dragBlock(page, "model.openai", { x: 300, y: 200 });
  await waitSaved(page);
  // The owner invites the viewer and the viewer accepts (test/e2e/members.spec.ts does this through the pages).
  const link = await page.evaluate(async (email) => {
    const res = await fetch("/api/trpc/team.invitations.create", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, role: "viewer" }),
    });
    if (!res.ok) throw new Error(await res.text());
    return ((await res.json()) as { result: { data: { link: string } } }).result.data.link;
  }, viewerEmail);
  await viewer.evaluate(async (token) => {
    const res = await fetch("/api/trpc/team.invitations.accept", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    if (!res.ok) throw new Error(await res.text());
  }, new URL(link).pathname.split("/invite/")[1] ?? "");

  await reloadHydrated(viewer);
  await viewer.getByTestId("team-switcher").click();
  await viewer.getByRole("menuitem", { name: /team/ }).filter({ hasNotText: "Vic" }).first().click();
  await gotoHydrated(viewer, path);
  await expect(nodeOfType(viewer, "model.openai")).toHaveCount(1);
  await expect(viewer.getByRole("button", { name: "Add Chat Input" })).toHaveCount(0);
  await nodeOfType(viewer, "model.openai").click();
  await expect(viewer.getByTestId("field-model")).toBeDisabled();
  await viewer.keyboard.press("Delete");
  await expect(nodeOfType(viewer, "model.openai")).toHaveCount(1);
  await expect(viewer.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
  await viewerContext.close();
});
