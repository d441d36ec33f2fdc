import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { createFlow, dragBlock, waitSaved } from "./support/canvas";

const SAVE_REQUEST = /\/api\/trpc\/[^?]*flow\.save/;

test("an edit made offline says so, and is saved when the connection returns", async ({ page, context }) => {
  await signUp(page, uniqueEmail("offline"));
  await createFlow(page, "Offline");
  await dragBlock(page, "io.chat-input", { x: 200, y: 150 });
  await waitSaved(page);

  await context.setOffline(true);
  await page.getByTestId("palette-item-io.chat-output").dblclick();
  await expect(page.getByTestId("flow-node-count")).toHaveText("2");
  const status = page.getByTestId("save-status");
  await expect(status).toHaveAttribute("data-status", "offline");
  await expect(status).toHaveText("Offline — will save when back online");
  // More edits while offline wait with the first.
  await page.getByTestId("palette-item-prompt.template").dblclick();
  await expect(page.getByTestId("flow-node-count")).toHaveText("3");
  await expect(status).toHaveAttribute("data-status", "offline");

  await context.setOffline(false);
  await waitSaved(page);
  await page.reload();
  await expect(page.getByTestId("flow-node-count")).toHaveText("3");
});

test("a save that cannot reach the server is tried again, with growing pauses, until it lands", async ({ page }) => {
  await signUp(page, uniqueEmail("unreachable"));
  await createFlow(page, "Unreachable");
  await dragBlock(page, "io.chat-input", { x: 200, y: 150 });
  await waitSaved(page);

  // The server is down for saves: the connection is refused.
  let refused = 0;
  await page.route(SAVE_REQUEST, (route) => {
    refused += 1;
    return route.abort("connectionrefused");
  });
  await page.getByTestId("palette-item-io.chat-output").dblclick();
  const status = page.getByTestId("save-status");
  await expect(status).toHaveAttribute("data-status", "error");
  await expect(status).toContainText("Could not reach Skyloom; trying again in");
  // Without anyone pressing Retry, the save is tried again.
  await expect.poll(() => refused, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);

  await page.unroute(SAVE_REQUEST);
  await expect(status).toHaveAttribute("data-status", "saved", { timeout: 40_000 });
  await page.reload();
  await expect(page.getByTestId("flow-node-count")).toHaveText("2");
});
