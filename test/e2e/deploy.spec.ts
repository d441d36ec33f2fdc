import { readFile } from "node:fs/promises";
import { unzipSync } from "fflate";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { createFlow, dragBlock, openPanel, waitSaved } from "./support/canvas";

test("the Deploy panel compiles a model endpoint and shows the quote and the manifests", async ({ page }) => {
  await signUp(page, uniqueEmail("deploy"), "Dee");
  await createFlow(page, "Deploy me");

  await openPanel(page, "deploy");
  await expect(page.getByTestId("deploy-status")).toHaveAttribute("data-status", "blocked");
  await expect(page.getByTestId("deploy-diagnostic")).toContainText("E311");

  await dragBlock(page, "model.endpoint", { x: 250, y: 200 });
  await waitSaved(page);
  await openPanel(page, "deploy");

  await expect(page.getByTestId("deploy-status")).toHaveAttribute("data-status", "ready");
  const quote = page.getByTestId("deploy-quote");
  await expect(quote).toBeVisible();
  await expect(quote.getByTestId("quote-workload")).toHaveCount(1);
  // The default endpoint (Qwen 2.5 7B on vLLM, gpu: auto, 1 hour) bids a positive SPON price.
  // Amounts carry their unit and two to four decimals; the exact figure stays on the element.
  await expect(page.getByTestId("quote-total")).toHaveText(/^\d+\.\d{2,4} SPON\/h$/);
  const total = Number(await page.getByTestId("quote-total").getAttribute("data-exact"));
  expect(total).toBeGreaterThan(0);
  await expect(page.getByTestId("quote-escrow")).toHaveAttribute("data-exact", String(total));
  await expect(page.getByTestId("quote-escrow")).toHaveText(/^\d+\.\d{2,4} SPON$/);
  await expect(quote).toContainText("set aside in escrow");
  // "SPON" explains itself on hover.
  await quote.getByTestId("spon-term").hover();
  await expect(page.getByRole("tooltip")).toContainText("the token the compute marketplace is paid in");

  const viewer = page.getByTestId("manifest-viewer");
  await expect(viewer).toHaveAttribute("data-file", "spheron-icl.yaml");
  await expect(viewer.locator(".cm-content")).toContainText('version: "1.0"');
  await expect(viewer.locator(".cm-content")).toContainText("vllm/vllm-openai");

  await page.getByTestId("deploy-target-kubernetes").click();
  await expect(page.getByTestId("manifest-viewer")).toHaveAttribute("data-file", "kubernetes.yaml");
  await expect(page.getByTestId("manifest-viewer").locator(".cm-content")).toContainText("kind: Deployment");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download kubernetes.yaml" }).click();
  expect((await download).suggestedFilename()).toBe("kubernetes.yaml");

  // "Download all" is one zip, not a burst of downloads the browser blocks or asks about.
  const downloads: string[] = [];
  page.on("download", (d) => downloads.push(d.suggestedFilename()));
  const zipDownload = page.waitForEvent("download");
  await page.getByRole("button", { name: /Download all manifests/ }).click();
  const zip = await zipDownload;
  expect(zip.suggestedFilename()).toBe("skyloom-manifests.zip");
  const entries = unzipSync(await readFile(await zip.path()));
  expect(Object.keys(entries).sort()).toEqual(["akash-sdl.yaml", "kubernetes.yaml", "quote.json", "spheron-icl.yaml"]);
  expect(new TextDecoder().decode(entries["kubernetes.yaml"])).toContain("kind: Deployment");
  expect(downloads).toEqual(["skyloom-manifests.zip"]);

  await page.getByRole("button", { name: "Side by side" }).click();
  await expect(page.getByTestId("deploy-side-by-side").getByTestId("manifest-viewer")).toHaveCount(3);
});

test("Deploy from the canvas: live offers, the timeline to ready with the bids, then stop", async ({ page }) => {
  await signUp(page, uniqueEmail("deploy-market"), "Mark");
  await createFlow(page, "Deploy on the marketplace");
  await dragBlock(page, "model.endpoint", { x: 250, y: 200 });
  await waitSaved(page);
  await openPanel(page, "deploy");
  await expect(page.getByTestId("deploy-status")).toHaveAttribute("data-status", "ready");

  // The quote now comes from the nodes online (the host starts its embedded nodes as it
  // starts): a price range of their offers.
  await expect(page.getByTestId("live-quote")).toHaveAttribute("data-source", "live", { timeout: 60_000 });
  await expect(page.getByTestId("live-quote-range")).toHaveText(/SPON\/h$/);

  const form = page.getByRole("form", { name: "Deploy" });
  await form.getByRole("spinbutton", { name: "Hours" }).fill("2");
  await form.getByRole("button", { name: "Deploy" }).click();

  // The timeline follows the real events to ready; the bids table names the nodes that bid.
  const deployment = page.getByTestId("deployment");
  const timeline = deployment.getByTestId("deploy-timeline");
  await expect(timeline).toHaveAttribute("data-outcome", "ready", { timeout: 60_000 });
  for (const step of ["order", "bids", "lease", "manifest", "starting", "ready"]) {
    await expect(timeline.locator(`[data-step="${step}"]`)).toHaveAttribute("data-state", "done");
  }
  await expect(timeline.locator('[data-step="lease"]')).toContainText(/by \S+ .*SPON\/h/);
  await expect(deployment.getByTestId("bid-row").first()).toBeVisible();
  await expect(deployment.locator('[data-testid="bid-row"][data-won]')).toHaveCount(1);
  await expect(deployment.getByTestId("deployment-status")).toHaveAttribute("data-status", "ready");

  // Stop asks first; then the deployment shows as stopped and Deploy is offered again.
  await deployment.getByRole("button", { name: "Stop" }).click();
  await page.getByRole("button", { name: "Stop deployment" }).click();
  await expect(deployment.getByTestId("deployment-status")).toHaveAttribute("data-status", "stopped");
  await expect(timeline).toHaveAttribute("data-outcome", "stopped");
  await expect(form.getByRole("button", { name: "Deploy" })).toBeVisible();
});
