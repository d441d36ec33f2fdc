import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { createFlow, dragBlock, nodeId, nodeOfType, port, startWire, waitSaved, wire } from "./support/canvas";

test("build a flow: drag blocks in, wire compatible ports, refuse an incompatible one, undo and redo", async ({ page }) => {
  await signUp(page, uniqueEmail("canvas"));
  await createFlow(page, "Canvas basics");

  await dragBlock(page, "io.chat-input", { x: 150, y: 150 });
  await dragBlock(page, "model.openai", { x: 430, y: 260 });
  const input = await nodeId(page, "io.chat-input");
  const model = await nodeId(page, "model.openai");

  // Incompatible: text into a memory port. The reason shows while the wire hovers the port.
  await startWire(page, port(page, input, "out", "message"), port(page, model, "in", "memory"));
  await expect(page.getByTestId("connection-hint")).toHaveText("A memory port cannot take text.");
  await page.mouse.up();
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);
  await expect(page.getByTestId("editor-notice")).toContainText("A memory port cannot take text.");

  // Compatible: text into the prompt.
  await wire(page, port(page, input, "out", "message"), port(page, model, "in", "prompt"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  // Undo removes the wire, redo brings it back; both keyboard and toolbar.
  await page.getByTestId("flow-canvas").click({ position: { x: 20, y: 20 } });
  await page.keyboard.press("Control+z");
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);
  await page.keyboard.press("Control+Shift+z");
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await page.getByTestId("undo").click();
  await page.getByTestId("undo").click();
  await expect(nodeOfType(page, "model.openai")).toHaveCount(0);
  await page.getByTestId("redo").click();
  await page.getByTestId("redo").click();
  await expect(nodeOfType(page, "model.openai")).toHaveCount(1);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  await waitSaved(page);
  await page.reload();
  await expect(nodeOfType(page, "io.chat-input")).toHaveCount(1);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
});
