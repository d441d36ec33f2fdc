import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { reloadHydrated } from "./support/hydration";
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

test("edit a config field: errors in plain words at the field and on the node, value kept after reload, undoable", async ({ page }) => {
  await signUp(page, uniqueEmail("config"));
  await createFlow(page, "Config");
  await dragBlock(page, "model.openai", { x: 300, y: 200 });
  await nodeOfType(page, "model.openai").click();
  const panel = page.getByTestId("config-panel");
  await expect(panel).toBeVisible();

  // Temperature is in the Advanced section, closed until opened.
  await panel.getByTestId("config-advanced-toggle").click();
  await panel.getByTestId("field-temperature").fill("3");
  await expect(panel.getByTestId("field-error-temperature")).toHaveText("Temperature is between 0 and 2");
  await expect(nodeOfType(page, "model.openai").getByTestId("node-problems")).toContainText("Temperature is between 0 and 2");
  await panel.getByTestId("field-temperature").fill("0.2");
  await expect(panel.getByTestId("field-error-temperature")).toHaveCount(0);
  await expect(nodeOfType(page, "model.openai").getByTestId("node-problems")).toHaveCount(0);

  await panel.getByTestId("field-model").fill("gpt-4o-mini");
  await panel.getByTestId("field-label").fill("Support answerer");
  await waitSaved(page);
  await reloadHydrated(page);
  await nodeOfType(page, "model.openai").click();
  await expect(page.getByTestId("field-model")).toHaveValue("gpt-4o-mini");
  await page.getByTestId("config-advanced-toggle").click();
  await expect(page.getByTestId("field-temperature")).toHaveValue("0.2");
  await expect(nodeOfType(page, "model.openai")).toContainText("Support answerer");

  // Config edits are undoable like any other edit.
  await page.getByTestId("field-model").fill("llama3");
  await page.getByTestId("flow-canvas").click({ position: { x: 10, y: 10 } });
  await nodeOfType(page, "model.openai").click();
  await expect(page.getByTestId("field-model")).toHaveValue("llama3");
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("field-model")).toHaveValue("gpt-4o-mini");
  await page.keyboard.press("Control+y");
  await expect(page.getByTestId("field-model")).toHaveValue("llama3");
});

test("auto-layout arranges blocks left to right along the wires, and is one undo step", async ({ page }) => {
  // Room for three blocks side by side with every port well inside the canvas (near its edge
  // the canvas pans while a wire is drawn).
  await page.setViewportSize({ width: 1700, height: 950 });
  await signUp(page, uniqueEmail("layout"));
  await createFlow(page, "Layout");
  // Dropped in reverse order, right to left.
  await dragBlock(page, "io.chat-output", { x: 220, y: 120 });
  await dragBlock(page, "model.openai", { x: 480, y: 380 });
  await dragBlock(page, "io.chat-input", { x: 800, y: 200 });
  const input = await nodeId(page, "io.chat-input");
  const model = await nodeId(page, "model.openai");
  const output = await nodeId(page, "io.chat-output");
  await wire(page, port(page, input, "out", "message"), port(page, model, "in", "prompt"));
  await wire(page, port(page, model, "out", "text"), port(page, output, "in", "message"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);

  const xOf = async (id: string) => (await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!.x;
  expect(await xOf(input)).toBeGreaterThan(await xOf(output));
  await page.getByTestId("auto-layout").click();
  await expect.poll(async () => (await xOf(input)) < (await xOf(model)) && (await xOf(model)) < (await xOf(output))).toBe(true);
  // No two blocks overlap after the layout.
  const boxes = await Promise.all([input, model, output].map((id) => page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox()));
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      expect(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y).toBe(true);
    }
  await page.getByTestId("undo").click();
  await expect.poll(async () => (await xOf(input)) > (await xOf(output))).toBe(true);
});

test("a secret field picks a saved credential by name and never shows the key", async ({ page }) => {
  await signUp(page, uniqueEmail("secret"));
  const secret = "sk-test-abcdefghijklmnop1234";
  await page.evaluate(async (secret) => {
    const res = await fetch("/api/trpc/credential.create", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "OpenAI prod", kind: "openai", secret }),
    });
    if (!res.ok) throw new Error(await res.text());
  }, secret);
  await createFlow(page, "Secrets");
  await dragBlock(page, "model.openai", { x: 300, y: 200 });
  await nodeOfType(page, "model.openai").click();
  const picker = page.getByTestId("field-credentialId");
  await expect(picker.locator("option", { hasText: "OpenAI prod" })).toHaveText(/OpenAI prod \(openai ••••••1234\)/);
  await picker.selectOption({ label: (await picker.locator("option", { hasText: "OpenAI prod" }).textContent()) ?? "" });
  await waitSaved(page);
  await reloadHydrated(page);
  await nodeOfType(page, "model.openai").click();
  await expect(page.getByTestId("field-credentialId").locator("option:checked")).toContainText("OpenAI prod");
  expect(await page.content()).not.toContain(secret);
});

test("workload blocks get lists, key-value and picker fields from their schemas", async ({ page }) => {
  await signUp(page, uniqueEmail("workload"));
  await createFlow(page, "Workloads");
  await dragBlock(page, "workload.container", { x: 300, y: 200 });
  await nodeOfType(page, "workload.container").click();
  const panel = page.getByTestId("config-panel");
  await panel.getByRole("button", { name: "Add variable" }).first().click();
  await panel.getByLabel(/name 1$/).first().fill("LOG_LEVEL");
  await panel.getByLabel(/value 1$/).first().fill("debug");
  await panel.getByTestId("field-image").fill("Not A Valid Image!");
  await expect(panel.locator("[data-testid^=field-error-]").first()).toBeVisible();
  await panel.getByTestId("field-image").fill("nginx:1.27-alpine");
  await waitSaved(page);
  await reloadHydrated(page);
  await nodeOfType(page, "workload.container").click();
  await expect(page.getByTestId("config-panel").getByLabel(/name 1$/).first()).toHaveValue("LOG_LEVEL");
});
