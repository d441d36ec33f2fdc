import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { promptAgentGraph, trpcCall } from "./support/agent-api";
import { waitForHydration } from "./support/hydration";
import { nodeOfType } from "./support/canvas";

test("rename, duplicate and delete flows from the dashboard", async ({ page }) => {
  await signUp(page, uniqueEmail("dash"));
  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByLabel("Flow name").fill("Draft");
  await page.getByRole("button", { name: "Create flow" }).click();
  await expect(page.getByTestId("flow-name")).toHaveText("Draft");
  await page.goto("/");
  await waitForHydration(page);

  await page.getByRole("button", { name: "Actions for Draft" }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  await page.getByLabel("Flow name").fill("");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("alert")).toHaveText("Give the flow a name");
  await page.getByLabel("Flow name").fill("Support bot");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("link", { name: /Support bot/ })).toBeVisible();

  await page.getByRole("button", { name: "Actions for Support bot" }).click();
  await page.getByRole("menuitem", { name: "Duplicate" }).click();
  await expect(page.getByRole("link", { name: /Support bot \(copy\)/ })).toBeVisible();

  await page.getByRole("button", { name: "Actions for Support bot (copy)" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("link", { name: /Support bot \(copy\)/ })).toHaveCount(0);

  await page.reload();
  await expect(page.getByRole("list", { name: "Flows" }).getByRole("listitem")).toHaveCount(1);
});

test("create a team, switch between teams, and see only each team's flows", async ({ page }) => {
  await signUp(page, uniqueEmail("teams"), "Grace");
  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByLabel("Flow name").fill("Personal flow");
  await page.getByRole("button", { name: "Create flow" }).click();
  await page.goto("/");
  await waitForHydration(page);

  await page.getByTestId("team-switcher").click();
  await page.getByRole("menuitem", { name: "New team…" }).click();
  await page.getByLabel("Team name").fill("Acme");
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByTestId("team-switcher")).toContainText("Acme");
  await expect(page.getByText("No flows in this team yet")).toBeVisible();

  await page.getByTestId("team-switcher").click();
  await page.getByRole("menuitem", { name: /Grace's team/ }).click();
  await expect(page.getByTestId("team-switcher")).toContainText("Grace's team");
  await expect(page.getByRole("link", { name: /Personal flow/ })).toBeVisible();
});

test("a flow of another team is a 404 page, not its data", async ({ page, browser }) => {
  await signUp(page, uniqueEmail("owner"));
  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByLabel("Flow name").fill("Private");
  await page.getByRole("button", { name: "Create flow" }).click();
  await expect(page).toHaveURL(/\/flows\/flow_/);
  const url = page.url();

  const other = await browser.newPage({ baseURL: new URL(url).origin });
  await signUp(other, uniqueEmail("other"));
  const response = await other.goto(url);
  expect(response?.status()).toBe(404);
  await expect(other.getByText("This flow does not exist in your current team.")).toBeVisible();
  await expect(other.getByText("Private")).toHaveCount(0);
  await other.close();
});

test("import a flow file from the dashboard; a bad file creates nothing; published flows are marked", async ({ page }) => {
  await signUp(page, uniqueEmail("import"), "Ivy");
  const flows = page.getByRole("list", { name: "Flows" }).getByRole("listitem");
  const before = await flows.count();

  await page.getByTestId("import-flow-file").setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
  await expect(page.getByRole("alert")).toContainText("broken.json: This file is not valid JSON");
  await expect(flows).toHaveCount(before);

  const file = { name: "Imported helper", graph: promptAgentGraph() };
  await page.getByTestId("import-flow-file").setInputFiles({ name: "helper.flow.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(file)) });
  await expect(page.getByTestId("flow-name")).toHaveText("Imported helper");
  const flowId = new URL(page.url()).pathname.split("/").pop() ?? "";

  await trpcCall(page.request, "agent.publish", { flowId, slug: "imported-helper" });
  await page.goto("/");
  const card = page.getByRole("listitem").filter({ hasText: "Imported helper" });
  await expect(card.getByTestId("flow-published")).toHaveText("Published as imported-helper");
  await expect(page.getByTestId("flow-published")).toHaveCount(1);
});

test("a file saved by an older Skyloom opens upgraded; a file with a __proto__ key creates nothing", async ({ page }) => {
  await signUp(page, uniqueEmail("import-old"), "Olga");
  const flows = page.getByRole("list", { name: "Flows" }).getByRole("listitem");
  const before = await flows.count();
  const oldHttpTool = {
    id: "weather",
    type: "tool.http",
    version: 1,
    config: { name: "weather", url: "https://api.example.com/weather?q={city}", headers: [{ name: "Accept", value: "application/json" }] },
    ui: { x: 100, y: 100 },
  };

  const hostile = JSON.stringify({ name: "Hostile", graph: { schemaVersion: 1, nodes: [oldHttpTool], edges: [] } }).replace('"config":{', '"config":{"__proto__":{"isAdmin":true},');
  await page.getByTestId("import-flow-file").setInputFiles({ name: "hostile.flow.json", mimeType: "application/json", buffer: Buffer.from(hostile) });
  await expect(page.getByRole("alert")).toContainText('hostile.flow.json: This file has a key named "__proto__"');
  await expect(flows).toHaveCount(before);

  const old = { name: "Weather from 2025", graph: { schemaVersion: 1, nodes: [oldHttpTool], edges: [] } };
  await page.getByTestId("import-flow-file").setInputFiles({ name: "weather.flow.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(old)) });
  await expect(page.getByTestId("flow-name")).toHaveText("Weather from 2025");
  // Version 1 kept headers as a list; the form shows them as the name and value boxes of version 2.
  await nodeOfType(page, "tool.http").click();
  const panel = page.getByTestId("config-panel");
  await expect(panel.getByLabel("Headers name 1")).toHaveValue("Accept");
  await expect(panel.getByLabel("Headers value 1")).toHaveValue("application/json");
  await expect(nodeOfType(page, "tool.http").getByTestId("node-problems")).toHaveCount(0);
});
