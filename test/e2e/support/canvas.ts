import { expect, type Locator, type Page } from "@playwright/test";
import { waitForHydration } from "./hydration";

/** Helpers for driving the flow editor like a person: palette drags, wire drags, panels. */

export async function createFlow(page: Page, name: string): Promise<string> {
  await waitForHydration(page);
  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByLabel("Flow name").fill(name);
  await page.getByRole("button", { name: "Create flow" }).click();
  await expect(page).toHaveURL(/\/flows\/flow_/);
  await expect(page.getByTestId("flow-editor")).toBeVisible();
  return new URL(page.url()).pathname;
}

export function nodeOfType(page: Page, type: string): Locator {
  return page.locator(".react-flow__node", { has: page.locator(`[data-node-type="${type}"]`) });
}

export async function nodeId(page: Page, type: string, index = 0): Promise<string> {
  const id = await nodeOfType(page, type).nth(index).getAttribute("data-id");
  if (!id) throw new Error(`No ${type} node on the canvas`);
  return id;
}

/** Drags a block from the palette and drops it at a point relative to the canvas's top-left. */
export async function dragBlock(page: Page, type: string, at: { x: number; y: number }): Promise<void> {
  const before = await nodeOfType(page, type).count();
  await page.getByTestId(`palette-item-${type}`).dragTo(page.getByTestId("flow-canvas"), { targetPosition: at });
  await expect(nodeOfType(page, type)).toHaveCount(before + 1);
}

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error("Element is not visible");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** React Flow pans the canvas while a wire is dragged this close to its edge (XYHandle's auto-pan). */
const AUTO_PAN_MARGIN = 40;

/**
 * Fails at once, on any machine, when a port sits where React Flow would pan the canvas under
 * the wire: how far it pans depends on how long the pointer stays there, so on a busy machine
 * the target moves away before the wire reaches it.
 */
async function expectAwayFromEdges(page: Page, handle: Locator): Promise<void> {
  const canvas = await page.getByTestId("flow-canvas").boundingBox();
  if (!canvas) throw new Error("The canvas is not visible");
  const p = await centre(handle);
  const m = AUTO_PAN_MARGIN;
  if (p.x < canvas.x + m || p.x > canvas.x + canvas.width - m || p.y < canvas.y + m || p.y > canvas.y + canvas.height - m) {
    const id = await handle.getAttribute("data-testid");
    throw new Error(`${id} is within ${m} px of the canvas edge, where the canvas pans while a wire is drawn: drop the block further in.`);
  }
}

/**
 * Presses on a port and draws a wire to another in small steps (React Flow needs real pointer
 * moves), then keeps aiming at the target until it shows the wire is on it, as a person does
 * when the canvas shifts under the pointer.
 */
export async function startWire(page: Page, fromHandle: Locator, toHandle: Locator): Promise<void> {
  await expectAwayFromEdges(page, fromHandle);
  await expectAwayFromEdges(page, toHandle);
  const a = await centre(fromHandle);
  const b = await centre(toHandle);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await expect(page.locator(".react-flow__connectionline")).toBeAttached();
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await expect
    .poll(async () => {
      if (/\bconnectingto\b/.test((await toHandle.getAttribute("class")) ?? "")) return true;
      const now = await centre(toHandle);
      await page.mouse.move(now.x, now.y, { steps: 2 });
      return false;
    })
    .toBe(true);
}

/** Draws a wire between two compatible ports and lets go once the target lights up as valid. */
export async function wire(page: Page, fromHandle: Locator, toHandle: Locator): Promise<void> {
  await startWire(page, fromHandle, toHandle);
  await expect(toHandle).toHaveClass(/\bvalid\b/);
  await page.mouse.up();
}

export function port(page: Page, node: string, side: "in" | "out", portId: string): Locator {
  return page.getByTestId(`port-${node}-${side}-${portId}`);
}

/** Moves a node by dragging its header (P14: dragTo does not move React Flow nodes). */
export async function dragNode(page: Page, node: Locator, by: { x: number; y: number }): Promise<void> {
  const box = await node.boundingBox();
  if (!box) throw new Error("Node is not visible");
  const x = box.x + box.width / 2;
  const y = box.y + 14;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + by.x, y + by.y, { steps: 12 });
  await page.mouse.up();
}

export async function waitSaved(page: Page): Promise<void> {
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
}

export async function openPanel(page: Page, id: string): Promise<void> {
  await waitForHydration(page);
  const tab = page.getByTestId(`panel-tab-${id}`);
  await tab.click();
  await expect(tab).toHaveAttribute("aria-selected", "true");
}
