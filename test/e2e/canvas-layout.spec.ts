import type { Page } from "@playwright/test";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { createFlow, dragBlock, nodeOfType } from "./support/canvas";
import { hiddenPorts, nodeBoxes, overlaps } from "./support/geometry";

/** Wires an input of the selected block from the config panel's menu (no pointer needed). */
async function connectInput(page: Page, nodeType: string, input: string, from: string) {
  await nodeOfType(page, nodeType).click();
  const select = page.getByTestId("config-panel").getByLabel(`Connect to input ${input}`);
  await select.focus();
  await select.selectOption({ label: from });
}

test("blocks added every way land in free space, a drop by the palette stays in view, and Tidy up keeps every port visible", async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await signUp(page, uniqueEmail("place"));
  await createFlow(page, "Placement");
  const canvas = page.getByTestId("flow-canvas");
  const paletteItem = (type: string) => page.getByTestId(`palette-item-${type}`);

  // Dropped right at the canvas's left edge, next to the palette: the whole block comes into view.
  await dragBlock(page, "io.chat-output", { x: 3, y: 40 });
  const canvasBox = (await canvas.boundingBox())!;
  const dropped = (await nodeOfType(page, "io.chat-output").boundingBox())!;
  expect(dropped.x).toBeGreaterThanOrEqual(canvasBox.x);
  expect(dropped.y).toBeGreaterThanOrEqual(canvasBox.y);

  await paletteItem("agent.tools").dblclick();
  await expect(nodeOfType(page, "agent.tools")).toHaveCount(1);

  await paletteItem("model.openai").hover();
  await paletteItem("model.openai").getByRole("button", { name: "Add Chat Model" }).click();
  await expect(nodeOfType(page, "model.openai")).toHaveCount(1);

  const search = page.getByTestId("palette-search");
  await search.fill("chat input");
  await search.press("Enter");
  await expect(nodeOfType(page, "io.chat-input")).toHaveCount(1);
  // The keyboard is back on the canvas, on the new block: shortcuts work without a click.
  await expect(nodeOfType(page, "io.chat-input")).toBeFocused();
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  await search.fill("calculator");
  await search.press("Enter");
  await expect(nodeOfType(page, "tool.calculator")).toHaveCount(1);
  await paletteItem("memory.conversation").dblclick();
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  expect(overlaps(await nodeBoxes(page))).toEqual([]);

  await connectInput(page, "agent.tools", "Task", "Chat Input → Message");
  await connectInput(page, "agent.tools", "Model", "Chat Model → Model");
  await connectInput(page, "agent.tools", "Tools", "Calculator → Tool");
  await connectInput(page, "agent.tools", "Memory", "Conversation Memory → Memory");
  await connectInput(page, "io.chat-output", "Message", "Agent → Answer");
  await expect(page.locator(".react-flow__edge")).toHaveCount(5);

  const xOf = async (type: string) => (await nodeOfType(page, type).boundingBox())!.x;
  await page.getByTestId("auto-layout").click();
  // The button is busy while the layout engine loads and runs (seconds on a busy machine).
  await expect(page.getByTestId("auto-layout")).toBeEnabled({ timeout: 30_000 });
  // Tidy up is done when the blocks stand in the order the data flows.
  await expect
    .poll(async () => (await xOf("io.chat-input")) < (await xOf("agent.tools")) && (await xOf("agent.tools")) < (await xOf("io.chat-output")))
    .toBe(true);
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  await expect.poll(async () => overlaps(await nodeBoxes(page))).toEqual([]);
  // Every port can be seen and grabbed: none under a block, the minimap or the zoom buttons.
  await expect.poll(() => hiddenPorts(page)).toEqual([]);
  expect(await page.locator("[data-testid=flow-canvas] .react-flow__handle").count()).toBeGreaterThanOrEqual(12);
});

test("Tidy up separates blocks piled on one spot, at their real heights", async ({ page }) => {
  await signUp(page, uniqueEmail("tidy"));
  await createFlow(page, "Pile");
  // Six blocks on one spot, two of them tall (many ports): what an import or a careless paste leaves.
  const at = { x: 0, y: 0 };
  const node = (id: string, type: string) => ({ id, type, version: 1, config: {}, ui: at });
  const edge = (id: string, from: string, fromPort: string, to: string, toPort: string) => ({ id, from: { node: from, port: fromPort }, to: { node: to, port: toPort } });
  const graph = {
    schemaVersion: 1,
    nodes: [node("in", "io.chat-input"), node("llm", "model.openai"), node("mem", "memory.conversation"), node("calc", "tool.calculator"), node("agent", "agent.tools"), node("out", "io.chat-output")],
    edges: [edge("e1", "in", "message", "agent", "prompt"), edge("e2", "llm", "model", "agent", "model"), edge("e3", "mem", "memory", "agent", "memory"), edge("e4", "calc", "tool", "agent", "tools"), edge("e5", "agent", "text", "out", "message")],
  };
  await page.getByTestId("import-input").setInputFiles({ name: "pile.flow.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ name: "Pile", graph })) });
  await expect(page.locator(".react-flow__edge")).toHaveCount(5);
  expect(overlaps(await nodeBoxes(page)).length).toBeGreaterThan(0);

  await page.getByTestId("auto-layout").click();
  await expect(page.getByTestId("auto-layout")).toBeEnabled({ timeout: 30_000 });
  await expect.poll(async () => overlaps(await nodeBoxes(page))).toEqual([]);
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  await expect.poll(() => hiddenPorts(page)).toEqual([]);
});
