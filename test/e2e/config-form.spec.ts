import { trpcCall } from "./support/agent-api";
import { nodeOfType } from "./support/canvas";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { waitForHydration } from "./support/hydration";

/** The config form as blocks declare it: a short form first, the rest in Advanced, fields that appear when they apply. */

test("the model-serving block shows a short form; Advanced opens; replicas appear in data-centre mode, a container's GPU count with a GPU", async ({ page }) => {
  await signUp(page, uniqueEmail("config-form"));
  const graph = {
    schemaVersion: 1,
    nodes: [
      { id: "llm", type: "model.endpoint", version: 1, config: { mode: "fizz" }, ui: { x: 120, y: 120 } },
      { id: "box", type: "workload.container", version: 1, config: {}, ui: { x: 520, y: 120 } },
    ],
    edges: [],
  };
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Short forms", graph });
  await page.goto(`/flows/${flow.id}`);
  await waitForHydration(page);

  await nodeOfType(page, "model.endpoint").click();
  const panel = page.getByTestId("config-panel");
  await expect(panel.getByTestId("field-model")).toBeVisible();
  await expect(panel.getByTestId("field-mode")).toHaveValue("fizz");

  // Sizes, prices and names wait in Advanced, closed, which says what it holds.
  const toggle = panel.getByTestId("config-advanced-toggle");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(toggle).toContainText("CPU cores");
  await expect(panel.getByTestId("field-cpu")).toHaveCount(0);
  await expect(panel.getByTestId("field-maxPricePerHour")).toHaveCount(0);

  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await expect(panel.getByTestId("field-cpu")).toBeVisible();
  await expect(panel.getByTestId("field-maxPricePerHour")).toBeVisible();
  // Community GPUs run one replica: the field is there only in data-centre mode.
  await expect(panel.getByTestId("field-replicas")).toHaveCount(0);
  await panel.getByTestId("field-mode").selectOption("provider");
  await expect(panel.getByTestId("field-replicas")).toBeVisible();

  await toggle.click();
  await expect(panel.getByTestId("field-cpu")).toHaveCount(0);

  // A container's GPU count appears once it has a GPU.
  await nodeOfType(page, "workload.container").click();
  await expect(panel.getByTestId("field-gpu")).toHaveValue("none");
  await expect(panel.getByTestId("field-gpuCount")).toHaveCount(0);
  await panel.getByTestId("field-gpu").selectOption("t4");
  await expect(panel.getByTestId("field-gpuCount")).toBeVisible();
});
