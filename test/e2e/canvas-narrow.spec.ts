import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { createFlow, nodeOfType } from "./support/canvas";

test("at 800 px: palette and panels fold away and stay folded, the tabs fit, and the keyboard sees blocks and wires", async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 700 });
  await signUp(page, uniqueEmail("narrow"));
  await createFlow(page, "Narrow");

  const search = page.getByTestId("palette-search");
  await search.fill("chat input");
  await search.press("Enter");
  await search.fill("chat output");
  await search.press("Enter");
  await expect(page.getByTestId("flow-node-count")).toHaveText("2");
  // There is no room beside Chat Input in this narrow canvas: the view moves to show the new block.
  await expect(nodeOfType(page, "io.chat-output")).toBeInViewport();
  // The new Chat Output is selected: wire its input from the Block panel.
  const connect = page.getByTestId("config-panel").getByLabel("Connect to input Message");
  await connect.focus();
  await connect.selectOption({ label: "Chat Input → Message" });
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  // All six panel tabs fit on one row inside the panel column, and each one opens.
  const tabs = page.getByRole("tab");
  await expect(tabs).toHaveCount(6);
  const column = (await page.getByTestId("panel-tabs").boundingBox())!;
  for (const tab of await tabs.all()) {
    await expect(tab).toBeVisible();
    const box = (await tab.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(column.x);
    expect(box.x + box.width).toBeLessThanOrEqual(column.x + column.width + 0.5);
    expect(Math.abs(box.y - column.y)).toBeLessThan(4);
    await tab.click();
    await expect(tab).toHaveAttribute("aria-selected", "true");
  }
  // And from the keyboard: the arrow keys move along the tabs.
  await page.getByTestId("panel-tab-config").click();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("panel-tab-problems")).toBeFocused();
  await expect(page.getByTestId("panel-tab-problems")).toHaveAttribute("aria-selected", "true");

  // Fold both columns: the canvas gets the width.
  await page.getByRole("button", { name: "Hide blocks" }).click();
  await page.getByRole("button", { name: "Hide panels" }).click();
  const canvasWidth = async () => (await page.getByTestId("flow-canvas").boundingBox())!.width;
  await expect.poll(canvasWidth).toBeGreaterThanOrEqual(600);

  // Remembered in this browser.
  await page.reload();
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Show blocks" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Show panels" })).toBeVisible();
  await expect(page.getByTestId("palette-search")).toHaveCount(0);
  await expect(page.getByRole("tab")).toHaveCount(0);
  await expect.poll(canvasWidth).toBeGreaterThanOrEqual(600);

  // Tab from the palette's strip goes into the canvas: first the wire, named by its blocks and ports...
  await page.getByRole("button", { name: "Show blocks" }).focus();
  await page.keyboard.press("Tab");
  const edge = page.locator(".react-flow__edge");
  await expect(edge).toBeFocused();
  await expect(edge).toHaveAttribute("aria-label", "Edge from Chat Input (Message) to Chat Output (Message)");
  // ...then a block, with a ring a person can see.
  await page.keyboard.press("Tab");
  const input = nodeOfType(page, "io.chat-input");
  await expect(input).toBeFocused();
  await expect(input).toHaveAttribute("aria-label", "Chat Input block");
  await expect(input).toHaveCSS("outline-style", "solid");
  await expect(input).toHaveCSS("outline-width", "3px");
  // A block that is not focused has no ring.
  await expect(nodeOfType(page, "io.chat-output")).toHaveCSS("outline-style", "none");

  // "/" unfolds the palette to search; a panel opened from the folded strip unfolds the panels.
  await page.keyboard.press("/");
  await expect(page.getByTestId("palette-search")).toBeFocused();
  await page.getByRole("button", { name: "Open Versions" }).click();
  await expect(page.getByTestId("panel-tab-versions")).toHaveAttribute("aria-selected", "true");
});
