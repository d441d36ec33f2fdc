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

/** Presses on a port and moves to another in small steps (React Flow needs real pointer moves). */
export async function startWire(page: Page, fromHandle: Locator, toHandle: Locator): Promise<void> {
  const a = await centre(fromHandle);
  const b = await centre(toHandle);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x, b.y, { steps: 8 });
}

export async function wire(page: Page, fromHandle: Locator, toHandle: Locator): Promise<void> {
  await startWire(page, fromHandle, toHandle);
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
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved", { timeout: 10_000 });
}

export async function openPanel(page: Page, id: string): Promise<void> {
  await page.getByTestId(`panel-tab-${id}`).click();
}
