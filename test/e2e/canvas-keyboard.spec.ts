import { readFile } from "node:fs/promises";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { createFlow, dragBlock, nodeOfType, waitSaved } from "./support/canvas";

test("keyboard only: add blocks from the search, connect through the menu, delete", async ({ page }) => {
  await signUp(page, uniqueEmail("keys"));
  await createFlow(page, "Keyboard");

  await page.keyboard.press("/");
  await expect(page.getByTestId("palette-search")).toBeFocused();
  await page.keyboard.type("chat input");
  await page.keyboard.press("Enter");
  await expect(nodeOfType(page, "io.chat-input")).toHaveCount(1);
  await page.getByTestId("palette-search").fill("answers a prompt");
  await page.keyboard.press("Enter");
  await expect(nodeOfType(page, "model.openai")).toHaveCount(1);

  // The new block is selected; its panel wires the prompt from a menu.
  const panel = page.getByTestId("config-panel");
  await expect(panel).toHaveAttribute("data-node-id", /.+/);
  const connect = panel.getByLabel("Connect to input Prompt");
  await connect.focus();
  await connect.selectOption({ label: "Chat Input → Message" });
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await expect(panel.getByText("from Chat Input · Message")).toBeVisible();
  // Incompatible ports are not offered at all.
  await panel.getByLabel("Connect to input Memory").focus();
  await expect(panel.getByLabel("Connect to input Memory")).toContainText("Nothing compatible to connect");

  // Delete the model from the keyboard: focus it on the canvas and press Delete.
  await page.locator(".react-flow__node", { has: page.locator('[data-node-type="model.openai"]') }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Delete");
  await expect(nodeOfType(page, "model.openai")).toHaveCount(0);
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);

  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toContainText("Undo");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
});

test("copy, paste and duplicate get fresh ids; validate marks problems and focuses the node", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signUp(page, uniqueEmail("clip"));
  await createFlow(page, "Clipboard");
  await dragBlock(page, "io.chat-output", { x: 300, y: 200 });
  await nodeOfType(page, "io.chat-output").click();

  await page.keyboard.press("Control+d");
  await expect(nodeOfType(page, "io.chat-output")).toHaveCount(2);
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(nodeOfType(page, "io.chat-output")).toHaveCount(3);
  const ids = await page.locator(".react-flow__node").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
  expect(new Set(ids).size).toBe(3);

  await page.getByTestId("validate").click();
  await expect(page.getByTestId("problems-panel")).toBeVisible();
  const problem = page.getByTestId("problem-item").filter({ hasText: "needs a connection" }).first();
  await expect(problem).toBeVisible();
  await expect(page.locator('[data-testid="block-node"][data-invalid="true"]')).toHaveCount(3);
  await problem.click();
  await expect(page.getByTestId("config-panel")).toBeVisible();

  await page.getByTestId("flow-canvas").click({ position: { x: 10, y: 10 } });
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await expect(page.locator(".react-flow__node")).toHaveCount(0);
  await page.getByTestId("validate").click();
  await expect(page.getByTestId("no-problems")).toBeVisible();
});

test("export flow.json and import it back; a bad file is refused and changes nothing", async ({ page }, testInfo) => {
  await signUp(page, uniqueEmail("files"));
  await createFlow(page, "Round trip");
  await dragBlock(page, "io.chat-input", { x: 150, y: 150 });
  await dragBlock(page, "io.chat-output", { x: 450, y: 150 });
  await waitSaved(page);

  const downloading = page.waitForEvent("download");
  await page.getByTestId("export").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("round-trip.flow.json");
  const file = testInfo.outputPath("round-trip.flow.json");
  await download.saveAs(file);
  const exported = JSON.parse(await readFile(file, "utf8")) as { name: string; graph: { nodes: unknown[] } };
  expect(exported.name).toBe("Round trip");
  expect(exported.graph.nodes).toHaveLength(2);

  await page.getByTestId("import-input").setInputFiles({ name: "bad.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
  await expect(page.getByTestId("editor-notice")).toContainText("not valid JSON");
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  const alien = { name: "x", graph: { schemaVersion: 1, nodes: [{ id: "a", type: "evil.block", version: 1, config: {}, ui: { x: 0, y: 0 } }], edges: [] } };
  await page.getByTestId("import-input").setInputFiles({ name: "alien.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(alien)) });
  await expect(page.getByTestId("editor-notice")).toContainText('Unknown block type "evil.block"');
  await expect(page.locator(".react-flow__node")).toHaveCount(2);

  // Delete everything, then import the exported file: the flow comes back.
  await page.getByTestId("flow-canvas").click({ position: { x: 10, y: 10 } });
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await expect(page.locator(".react-flow__node")).toHaveCount(0);
  await page.getByTestId("import-input").setInputFiles(file);
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  await waitSaved(page);
  await page.reload();
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
});

test("multi-select with shift-click and with a shift-drag box; one delete, one undo", async ({ page }) => {
  await signUp(page, uniqueEmail("multi"));
  await createFlow(page, "Multi");
  await dragBlock(page, "io.chat-input", { x: 150, y: 120 });
  await dragBlock(page, "io.chat-output", { x: 450, y: 120 });
  await dragBlock(page, "prompt.template", { x: 300, y: 400 });

  await nodeOfType(page, "io.chat-input").click();
  await nodeOfType(page, "io.chat-output").click({ modifiers: ["Shift"] });
  await expect(page.getByTestId("config-panel-multi")).toContainText("2 blocks selected");
  await page.keyboard.press("Delete");
  await expect(page.locator(".react-flow__node")).toHaveCount(1);
  await page.keyboard.press("Control+z");
  await expect(page.locator(".react-flow__node")).toHaveCount(3);

  // A box drawn with Shift held selects every block it touches.
  const canvas = (await page.getByTestId("flow-canvas").boundingBox())!;
  await page.getByTestId("flow-canvas").click({ position: { x: 5, y: 5 } });
  await page.keyboard.down("Shift");
  await page.mouse.move(canvas.x + 5, canvas.y + 5);
  await page.mouse.down();
  await page.mouse.move(canvas.x + canvas.width - 60, canvas.y + canvas.height - 200, { steps: 10 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  await expect(page.getByTestId("config-panel-multi")).toContainText("3 blocks selected");
});

test("copy in one flow, paste into another flow in another tab", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signUp(page, uniqueEmail("across"));
  await createFlow(page, "Source");
  await dragBlock(page, "io.chat-input", { x: 150, y: 150 });
  await dragBlock(page, "io.chat-output", { x: 450, y: 150 });
  await page.getByTestId("flow-canvas").click({ position: { x: 10, y: 10 } });
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Control+c");

  const other = await context.newPage();
  await other.goto("/");
  await createFlow(other, "Target");
  await other.getByTestId("flow-canvas").click({ position: { x: 10, y: 10 } });
  await other.keyboard.press("Control+v");
  await expect(other.locator(".react-flow__node")).toHaveCount(2);
  const sourceIds = await page.locator(".react-flow__node").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
  const pastedIds = await other.locator(".react-flow__node").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
  expect(pastedIds.some((id) => sourceIds.includes(id))).toBe(false);
  await waitSaved(other);
  await other.reload();
  await expect(other.locator(".react-flow__node")).toHaveCount(2);
});

test("validate marks a wire the compiler rejects (from an imported file) and names it in the problems list", async ({ page }) => {
  await signUp(page, uniqueEmail("badwire"));
  await createFlow(page, "Bad wire");
  const graph = {
    schemaVersion: 1,
    nodes: [
      { id: "in", type: "io.chat-input", version: 1, config: {}, ui: { x: 0, y: 0 } },
      { id: "llm", type: "model.openai", version: 1, config: {}, ui: { x: 400, y: 0 } },
    ],
    edges: [{ id: "w", from: { node: "in", port: "message" }, to: { node: "llm", port: "memory" } }],
  };
  await page.getByTestId("import-input").setInputFiles({
    name: "bad-wire.flow.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify({ name: "Bad wire", graph })),
  });
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await page.getByTestId("validate").click();
  await expect(page.getByTestId("problem-item").filter({ hasText: "A memory port cannot take text." })).toBeVisible();
  await expect(page.locator(".react-flow__edge-path")).toHaveAttribute("style", /stroke-dasharray/);
});
