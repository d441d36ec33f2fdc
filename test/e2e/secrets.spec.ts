import { readFile } from "node:fs/promises";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { trpcCall } from "./support/agent-api";
import { nodeOfType, openPanel, waitSaved } from "./support/canvas";
import { waitForHydration } from "./support/hydration";

const TOKEN = "hf_e2e-real-token-do-not-show";
const PLAIN = "hf_typed-in-plain-text";

test("a token in a workload's environment becomes a saved credential: manifests show a placeholder, the exported file no secret", async ({ page }, testInfo) => {
  await signUp(page, uniqueEmail("secrets"));
  const credential = await trpcCall<{ id: string }>(page.request, "credential.create", { name: "Hugging Face", kind: "secret", secret: TOKEN });
  const graph = {
    schemaVersion: 1,
    nodes: [{ id: "llm", type: "model.endpoint", version: 1, config: { name: "gemma", model: "google/gemma-2-9b-it", env: { HF_TOKEN: PLAIN } }, ui: { x: 200, y: 150 } }],
    edges: [],
  };
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Gated model", graph });
  await page.goto(`/flows/${flow.id}`);
  await waitForHydration(page);

  // The plain token is called out where it is typed, with what to do.
  await nodeOfType(page, "model.endpoint").click();
  const panel = page.getByTestId("config-panel");
  await expect(panel.getByTestId("env-plain-secret-1")).toContainText("HF_TOKEN looks like a secret");
  await panel.getByRole("button", { name: "Use a saved credential for HF_TOKEN" }).click();
  await panel.getByTestId("env-credential-1").selectOption(credential.id);
  await expect(panel.getByTestId("env-plain-secret-1")).toHaveCount(0);
  await waitSaved(page);

  // The Deploy panel's manifests carry a placeholder, never the value.
  await openPanel(page, "deploy");
  const viewer = page.getByTestId("manifest-viewer").locator(".cm-content");
  await expect(viewer).toContainText(`HF_TOKEN=skyloom-secret://${credential.id}`);
  await page.getByTestId("deploy-target-kubernetes").click();
  // The editor draws only the lines in view: the Secret comes first (its secretKeyRef is unit-tested).
  await expect(page.getByTestId("manifest-viewer").locator(".cm-content")).toContainText("kind: Secret");
  await expect(page.getByTestId("manifest-viewer").locator(".cm-content")).toContainText(`HF_TOKEN: skyloom-secret://${credential.id}`);
  // The credential's value never reaches the page (the plain value does: the person typed it).
  expect(await page.content()).not.toContain(TOKEN);

  // The exported flow file names the credential, not its value.
  const downloading = page.waitForEvent("download");
  await page.getByTestId("export").click();
  const file = testInfo.outputPath("gated.flow.json");
  await (await downloading).saveAs(file);
  const text = await readFile(file, "utf8");
  expect(text).toContain(credential.id);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(PLAIN);
});
