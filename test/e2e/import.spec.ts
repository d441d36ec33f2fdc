import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, signUp, test, uniqueEmail } from "./support/fixtures";
import { nodeOfType } from "./support/canvas";

const fixture = (name: string) => readFileSync(join(process.cwd(), "test/fixtures/import", name));

test("import a Flowise chatflow from the dashboard: see the report, open the flow with its blocks and placeholder notes", async ({ page }) => {
  await signUp(page, uniqueEmail("import-flowise"), "Fay");

  await page.getByTestId("import-flow-file").setInputFiles({ name: "Odd Support Chatflow.json", mimeType: "application/json", buffer: fixture("flowise/odd-cases.json") });
  const report = page.getByRole("dialog", { name: "Imported “Odd Support Chatflow”" });
  await expect(report.getByTestId("import-report-counts")).toContainText("4 of 7 nodes mapped");
  await expect(report.getByTestId("import-report-counts")).toContainText("3 placeholder notes");
  await expect(report.getByTestId("import-report-counts")).toContainText("2 secrets not imported");
  await expect(report.getByTestId("import-report-placeholders")).toContainText("Fancy Widget (fancyWidget)");
  await expect(report.getByTestId("import-report-secrets")).toContainText('The secret "anthropicApiKey" was not imported');
  await expect(report.getByTestId("import-report-mapped")).toContainText("Agent Without Model (toolAgent)");
  await expect(report).not.toContainText("sk-ant-ODD-SECRET");

  await report.getByTestId("import-report-open").click();
  await expect(page.getByTestId("flow-name")).toHaveText("Odd Support Chatflow");
  await expect(nodeOfType(page, "agent.tools")).toHaveCount(1);
  await expect(nodeOfType(page, "prompt.template")).toHaveCount(1);
  await expect(nodeOfType(page, "model.openai")).toHaveCount(2);
  const placeholder = nodeOfType(page, "canvas.note").filter({ hasText: "Not imported: Fancy Widget" });
  await expect(placeholder).toBeVisible();
  await expect(placeholder.getByTestId("note-text")).toContainText('Skyloom has no block for the Flowise component "fancyWidget"');
  await expect(nodeOfType(page, "canvas.note")).toHaveCount(3);

  // The dashboard lists the new flow.
  await page.goto("/");
  await expect(page.getByRole("list", { name: "Flows" }).getByRole("link", { name: /Odd Support Chatflow/ })).toBeVisible();
});

test("a Dify YAML file imports too; a file that is no flow is refused with its reason and creates nothing", async ({ page }) => {
  await signUp(page, uniqueEmail("import-dify"), "Dee");
  const flows = page.getByRole("list", { name: "Flows" }).getByRole("listitem");
  const before = await flows.count();

  await page.getByTestId("import-flow-file").setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from('{"todo":["milk"],"x":{"__proto__":{}}}') });
  await expect(page.getByRole("alert")).toContainText('notes.json: This file has a key "__proto__"');
  await expect(flows).toHaveCount(before);

  await page.getByTestId("import-flow-file").setInputFiles({ name: "triage.yml", mimeType: "application/yaml", buffer: fixture("dify/chatflow.yml") });
  const report = page.getByRole("dialog", { name: "Imported “Support triage”" });
  await expect(report.getByTestId("import-report-placeholders")).toContainText("Product docs (knowledge-retrieval)");
  await report.getByRole("button", { name: "Close" }).first().click();
  await expect(flows).toHaveCount(before + 1);
  await expect(page.getByRole("alert")).toHaveCount(0);
});
