import { expect, type Locator, type Page } from "@playwright/test";
import { trpcCall } from "./support/agent-api";
import { createFlow, dragBlock, nodeOfType, openPanel, waitSaved } from "./support/canvas";
import { signUp, test, uniqueEmail } from "./support/fixtures";
import { waitForHydration } from "./support/hydration";

/**
 * What happens to a deployment after the first Deploy, on the host's real marketplace nodes:
 * a newer version, other replicas, an order nobody can serve, and a container the local
 * nodes lease but do not run. A deployment takes seconds, more on a busy machine: the waits
 * for one are generous, and every wait is for something the person sees.
 */
const DEPLOYING = { timeout: 90_000 };

/** The deployment of the given flow version, as the Deploy panel shows it ("· version N"). */
function deploymentOfVersion(page: Page, version: number): Locator {
  return page.locator(`[data-testid="deployment"][data-version="${version}"]`);
}

async function versionOf(deployment: Locator): Promise<number> {
  const version = Number(await deployment.getAttribute("data-version"));
  await expect(deployment).toContainText(`· version ${version}`);
  return version;
}

/** When an event of this type happened, as the deployment's "All events" list says. */
async function eventTime(deployment: Locator, type: string): Promise<number> {
  const events = deployment.getByTestId("event-list");
  if (!(await events.isVisible())) await deployment.getByText(/^All events/).click();
  const time = events.locator(`li[data-type="${type}"] time`).first();
  await expect(time).toBeVisible();
  return Date.parse((await time.getAttribute("datetime")) ?? "");
}

/**
 * Stops a deployment as a person does (Stop, then confirm), so the GPUs it holds on the
 * shared test host are free for the next test.
 */
async function stopDeployment(page: Page, deployment: Locator): Promise<void> {
  await deployment.getByRole("button", { name: "Stop" }).click();
  await page.getByRole("button", { name: "Stop deployment" }).click();
  await expect(deployment.getByTestId("deployment-status")).toHaveAttribute("data-status", "stopped");
}

/** A flow with a Model Endpoint on the canvas, deployed from the Deploy panel and ready. */
async function deployModelEndpoint(page: Page, flowName: string): Promise<Locator> {
  await createFlow(page, flowName);
  await dragBlock(page, "model.endpoint", { x: 250, y: 200 });
  await waitSaved(page);
  await openPanel(page, "deploy");
  await expect(page.getByTestId("live-quote")).toHaveAttribute("data-source", "live", { timeout: 60_000 });
  await page.getByRole("form", { name: "Deploy" }).getByRole("button", { name: "Deploy" }).click();
  const deployment = page.getByTestId("deployment");
  await expect(deployment.getByTestId("deployment-status")).toHaveAttribute("data-status", "ready", DEPLOYING);
  return deployment;
}

test("Redeploy a newer version: the timeline shows the new order and lease, the old one serves until the new one is ready", async ({ page }) => {
  await signUp(page, uniqueEmail("redeploy"), "Rhea");
  const first = await deployModelEndpoint(page, "Redeploy me");
  const oldVersion = await versionOf(first);
  await expect(first.getByTestId("deployment-running")).toContainText("1 replica running on");

  // Edit the flow: the model gets an environment variable; the canvas saves it.
  await nodeOfType(page, "model.endpoint").click();
  await openPanel(page, "config");
  const panel = page.getByTestId("config-panel");
  await panel.getByRole("button", { name: /Add variable/ }).click();
  await panel.getByLabel(/name 1$/).first().fill("LOG_LEVEL");
  await panel.getByLabel(/value 1$/).first().fill("debug");
  await waitSaved(page);

  await openPanel(page, "deploy");
  const old = deploymentOfVersion(page, oldVersion);
  await old.getByRole("button", { name: "Redeploy the latest version" }).click();

  // The new deployment has its own timeline: a new order, bids, a lease, ready.
  const next = page.locator(`[data-testid="deployment"]:not([data-version="${oldVersion}"])`);
  await expect(next).toHaveCount(1);
  const newVersion = await versionOf(next);
  expect(newVersion).toBeGreaterThan(oldVersion);
  const timeline = next.getByTestId("deploy-timeline");
  await expect(timeline).toHaveAttribute("data-outcome", "ready", DEPLOYING);
  for (const step of ["order", "bids", "lease", "manifest", "starting", "ready"]) {
    await expect(timeline.locator(`[data-step="${step}"]`)).toHaveAttribute("data-state", "done");
  }
  await expect(timeline.locator('[data-step="lease"]')).toContainText(/by \S+ .*SPON\/h/);
  await expect(next.getByTestId("deployment-status")).toHaveAttribute("data-status", "ready");
  await expect(next.getByTestId("deployment-running")).toContainText("1 replica running on");
  await expect(next.getByTestId("deployment-replaces")).toContainText(`Replaced version ${oldVersion}, which served until this one was ready`);

  // The old one is stopped once the new one is ready, and says by which version.
  await expect(old.getByTestId("deployment-status")).toHaveAttribute("data-status", "stopped", DEPLOYING);
  await expect(old.getByTestId("deployment-replaced")).toContainText(`Replaced by version ${newVersion}`);
  // The old lease ended after the new one was ready: it served until then.
  const newReady = Date.parse((await timeline.locator('[data-step="ready"] time').getAttribute("datetime")) ?? "");
  const oldClosed = await eventTime(old, "LeaseClosed");
  expect(oldClosed).toBeGreaterThanOrEqual(newReady);

  // One deployment runs now: the new version, with its own Stop and Redeploy.
  await expect(next.getByRole("button", { name: "Redeploy the latest version" })).toBeEnabled();
  await expect(old.getByRole("button", { name: "Redeploy the latest version" })).toHaveCount(0);
  await stopDeployment(page, next);
});

test("Change replicas 1 → 2 → 1: each change is a new deployment that runs that many replicas", async ({ page }) => {
  await signUp(page, uniqueEmail("replicas"), "Rex");
  const first = await deployModelEndpoint(page, "Scale me");
  const v1 = await versionOf(first);
  await expect(first).toContainText("1 replica ·");

  await first.getByRole("button", { name: "Change replicas" }).click();
  const replicas = first.getByRole("spinbutton", { name: "Replicas" });
  // Apply waits for a different, valid count.
  await expect(first.getByRole("button", { name: "Apply" })).toBeDisabled();
  await replicas.fill("0");
  await expect(first.getByRole("button", { name: "Apply" })).toBeDisabled();
  await replicas.fill("2");
  await first.getByRole("button", { name: "Apply" }).click();

  const two = page.getByTestId("deployment").filter({ hasText: "2 replicas ·" });
  await expect(two.getByTestId("deployment-status")).toHaveAttribute("data-status", "ready", DEPLOYING);
  await expect(two.getByTestId("deployment-running")).toContainText("2 replicas running on");
  const v2 = await versionOf(two);
  await expect(deploymentOfVersion(page, v1).getByTestId("deployment-replaced")).toContainText(`Replaced by version ${v2}`, DEPLOYING);

  await two.getByRole("button", { name: "Change replicas" }).click();
  await two.getByRole("spinbutton", { name: "Replicas" }).fill("1");
  await two.getByRole("button", { name: "Apply" }).click();
  const one = page.locator(`[data-testid="deployment"]:not([data-version="${v1}"]):not([data-version="${v2}"])`);
  await expect(one).toContainText("1 replica ·");
  await expect(one.getByTestId("deployment-status")).toHaveAttribute("data-status", "ready", DEPLOYING);
  await expect(one.getByTestId("deployment-running")).toContainText("1 replica running on");
  await expect(two.getByTestId("deployment-replaced")).toContainText("Replaced by version", DEPLOYING);
  await expect(two.getByTestId("deployment-status")).toHaveAttribute("data-status", "stopped");
  await stopDeployment(page, one);
});

test("An order no node can serve says what nothing offers and what to relax; relaxing it deploys", async ({ page }) => {
  await signUp(page, uniqueEmail("no-bids"), "Nora");
  // An A100 in eu-west for at most 2 SPON/h: no embedded node is in eu-west.
  const graph = {
    schemaVersion: 1,
    nodes: [{ id: "llm", type: "model.endpoint", version: 1, config: { gpu: "a100-80g", region: "eu-west", maxPricePerHour: 2 }, ui: { x: 200, y: 160 } }],
    edges: [],
  };
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Nowhere to run", graph });
  await page.goto(`/flows/${flow.id}`);
  await waitForHydration(page);
  await openPanel(page, "deploy");

  // Before the order: the live quote already says nobody online serves it, and why.
  const quote = page.getByTestId("live-quote");
  await expect(quote).toHaveAttribute("data-source", "catalog", { timeout: 60_000 });
  await expect(quote).toContainText("No node online can serve this now");
  await quote.getByText(/nodes? would not bid/).click();
  await expect(quote).toContainText("eu-west");

  await page.getByRole("form", { name: "Deploy" }).getByRole("button", { name: "Deploy" }).click();
  const deployment = page.getByTestId("deployment");
  const failure = deployment.getByTestId("deploy-failure");
  await expect(failure).toContainText("No bids: nothing offers 1 × a100-80g in eu-west", DEPLOYING);
  await expect(failure).toContainText("under 2 SPON/h");
  await expect(failure).toContainText("Relax the region, GPU, mode or price");
  await expect(deployment.getByTestId("deployment-status")).toHaveAttribute("data-status", "failed");
  await expect(deployment.getByTestId("deploy-timeline").locator('[data-step="bids"]')).toHaveAttribute("data-state", "failed");
  // Where to relax it, and no button that would only repeat the same order.
  await expect(deployment.getByTestId("deployment-relax")).toContainText("Regions");
  await expect(deployment.getByRole("button", { name: "Change replicas" })).toHaveCount(0);

  // Relax the region on the canvas, save, and try again: it deploys.
  await nodeOfType(page, "model.endpoint").click();
  await openPanel(page, "config");
  const panel = page.getByTestId("config-panel");
  await panel.getByTestId("config-advanced-toggle").click();
  // Any region, and any provider (the A100s are in a secure data centre).
  await panel.getByTestId("field-region").fill("");
  await panel.getByTestId("field-tier").selectOption("community-default");
  await waitSaved(page);
  await openPanel(page, "deploy");
  const failedVersion = await versionOf(deployment);
  await deployment.getByRole("button", { name: "Try again with the latest version" }).click();
  const retry = page.locator(`[data-testid="deployment"]:not([data-version="${failedVersion}"])`);
  await expect(retry.getByTestId("deployment-status")).toHaveAttribute("data-status", "ready", DEPLOYING);
  await expect(retry.getByTestId("deploy-timeline").locator('[data-step="lease"]')).toContainText("a100-80g");
  await expect(retry.getByTestId("deployment-running")).toContainText("holding 1 × a100-80g");
  // The failed one is set aside once the new one is ready.
  const failed = deploymentOfVersion(page, failedVersion);
  await expect(failed.getByTestId("deployment-replaced")).toContainText(`Replaced by version ${await versionOf(retry)}`, DEPLOYING);
  await stopDeployment(page, retry);
});

test("A container: alone it is leased, billed and monitored, and the panel says its image is not started; next to a model the model serves", async ({ page }) => {
  await signUp(page, uniqueEmail("container"), "Cora");
  await createFlow(page, "A container");
  await dragBlock(page, "workload.container", { x: 250, y: 120 });
  await waitSaved(page);
  await openPanel(page, "deploy");
  // Alone: nodes bid on it like on any order, and the quote says the image would not be started.
  const quote = page.getByTestId("live-quote");
  await expect(quote).toHaveAttribute("data-source", "live", { timeout: 60_000 });
  await expect(quote.getByTestId("live-quote-containers")).toContainText("image nginx:1.27-alpine is leased, billed and monitored, but not started");
  await page.getByRole("form", { name: "Deploy" }).getByRole("button", { name: "Deploy" }).click();

  const alone = page.getByTestId("deployment");
  await expect(alone.getByTestId("deployment-status")).toHaveAttribute("data-status", "ready", DEPLOYING);
  const note = alone.getByTestId("deployment-container-note");
  await expect(note).toContainText(/Leased, billed and monitored; node \S+ has no container engine, so image nginx:1\.27-alpine is not started\./);
  await expect(alone.getByTestId("deploy-timeline")).toHaveAttribute("data-outcome", "ready");
  await expect(alone.getByTestId("deploy-timeline")).toContainText("leased (image not run)");
  await expect(alone.getByTestId("deployment-running")).toContainText("1 replica leased (image not run) on");
  const aloneVersion = await versionOf(alone);
  await stopDeployment(page, alone);

  // Next to a Model Endpoint (the same defaults put both in one lease): the model serves, the container is not run.
  await dragBlock(page, "model.endpoint", { x: 250, y: 320 });
  await waitSaved(page);
  await openPanel(page, "deploy");
  await expect(quote.getByTestId("live-quote-containers")).toContainText("image nginx:1.27-alpine is leased", { timeout: 60_000 });
  await page.getByRole("form", { name: "Deploy" }).getByRole("button", { name: "Deploy" }).click();
  const both = page.locator(`[data-testid="deployment"]:not([data-version="${aloneVersion}"])`);
  await expect(both.getByTestId("deployment-status")).toHaveAttribute("data-status", "ready", DEPLOYING);
  await expect(both.getByTestId("deployment-container-note")).toContainText("so image nginx:1.27-alpine is not started.");
  await expect(both.getByTestId("deploy-timeline")).toHaveAttribute("data-outcome", "ready");
  await expect(both.getByTestId("deployment-running")).toContainText("1 replica running on");
  await stopDeployment(page, both);
});
