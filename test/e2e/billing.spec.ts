/**
 * The billing page on a host with billing on its embedded anvil devnet: "Get test SPON" (the
 * deposit shows pending with its confirmations, then credited, and the balance follows), an
 * agent's /v1 call showing up as a charge in the statement and the spend chart, spend limits,
 * and the browser-wallet path: an EIP-1193 provider injected into the page, backed by anvil's
 * unlocked account, approves and deposits through the real contracts.
 */
import type { Page } from "@playwright/test";
import { encodeFunctionData, type Address } from "viem";
import { sponTokenAbi } from "../../server/chain/generated/contracts";
import { ANVIL_WALLET_ACCOUNT, anvilRpc } from "../support/anvil-wallet";
import { promptAgentGraph, trpcCall } from "./support/agent-api";
import { expect, signUp, test as base, uniqueEmail } from "./support/fixtures";
import { reloadHydrated, gotoHydrated } from "./support/hydration";
import { startBuiltServer, type StartedServer } from "./support/server";

/** Enough confirmations that a person (and the test) sees the deposit pending for a few seconds (one block a second). */
const CONFIRMATIONS = 6;

const test = base.extend<object, { billingHost: StartedServer }>({
  billingHost: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      // No welcome grant: the balances below are exactly the deposits made here.
      const server = await startBuiltServer({ SKYLOOM_BILLING: "on", SKYLOOM_WELCOME_TEST_SPON: "0", CHAIN_CONFIRMATIONS: String(CONFIRMATIONS) });
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 120_000 },
  ],
  baseURL: async ({ billingHost }, use) => use(billingHost.url),
});

/** anvil's account 0: the devnet deploys SPON from it and it owns the token (server/chain/devnet.ts). */
const DEVNET_OPERATOR: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

const depositRow = (page: Page, txHash: string) => page.locator(`[data-testid="deposit-row"][data-tx="${txHash}"]`);

/** Waits for the deposit to show pending with its confirmations counting, then credited. */
async function expectPendingThenCredited(page: Page, txHash: string) {
  const status = depositRow(page, txHash).getByTestId("deposit-status");
  await expect(status).toHaveText(new RegExp(`^Pending · \\d of ${CONFIRMATIONS} confirmations$`));
  await expect(status).toHaveText("Credited", { timeout: 30_000 });
}

test("Get test SPON: pending, then credited into the balance; an agent's call is charged in the statement and the spend chart", async ({ page }) => {
  await signUp(page, uniqueEmail("billing"));
  await page.getByTestId("billing-link").click();
  await expect(page.getByRole("heading", { name: "Billing" })).toBeVisible();
  await expect(page.getByTestId("balance-available")).toContainText("0.00 SPON");
  await expect(page.getByTestId("no-deposits")).toBeVisible();
  await expect(page.getByTestId("escrow-address")).toHaveText(/^0x[0-9a-fA-F]{40}$/);
  await expect(page.getByTestId("deposit-ref")).toHaveText(/^0x[0-9a-f]{64}$/);

  await page.getByLabel("Test SPON (devnet)").fill("250");
  await page.getByRole("button", { name: "Get test SPON" }).click();
  const sent = page.getByRole("status").filter({ hasText: "Deposit sent" });
  await expect(sent).toBeVisible({ timeout: 30_000 });
  const txHash = (await sent.locator(".font-mono").textContent())!;
  expect(txHash).toMatch(/^0x[0-9a-f]{64}$/);
  await expectPendingThenCredited(page, txHash);
  await expect(page.getByTestId("balance-available")).toContainText("250.00 SPON");
  await expect(page.getByTestId("statement-row").filter({ hasText: "Deposit" })).toContainText("+250 SPON");

  // An agent answers on /v1; its tokens are charged to the team.
  const flow = await trpcCall<{ id: string }>(page.request, "flow.create", { name: "Billed helper", graph: promptAgentGraph("Hi. {input}") });
  const agent = await trpcCall<{ slug: string }>(page.request, "agent.publish", { flowId: flow.id });
  const { token } = await trpcCall<{ token: string }>(page.request, "apiKey.create", { name: "billing e2e", kind: "secret" });
  const answer = await page.request.post("/v1/chat/completions", {
    headers: { authorization: `Bearer ${token}` },
    data: { model: agent.slug, messages: [{ role: "user", content: "What does SPON pay for?" }] },
  });
  expect(answer.status()).toBe(200);

  // The run's usage is stored with the run (written behind, in a group commit): a person reloads until it shows.
  const charge = page.getByTestId("statement-row").filter({ hasText: `API usage` });
  await expect(async () => {
    await reloadHydrated(page);
    await expect(charge).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  // The charge is what this month's spend says, and the balance is the deposit less it, to the wei.
  const chargeWei = BigInt((await charge.locator("td").nth(2).locator("[data-wei]").getAttribute("data-wei"))!);
  expect(chargeWei).toBeLessThan(0n);
  await expect(page.getByTestId("balance-spent").locator("[data-wei]")).toHaveAttribute("data-wei", String(-chargeWei));
  await expect(page.getByTestId("balance-available").locator("[data-wei]")).toHaveAttribute("data-wei", String(250n * 10n ** 18n + chargeWei));

  const charts = page.getByTestId("spend-charts");
  await expect(charts.getByTestId("usage-totals")).toContainText(/\b1 request\b/);
  await expect(charts.getByTestId("spend-chart").locator(".recharts-bar-rectangle path").first()).toBeVisible();
  await expect(charts.getByTestId("spend-chart")).toContainText(agent.slug);
  await charts.getByLabel("API key").check();
  await expect(charts.getByTestId("spend-chart")).toContainText("billing e2e");

  // Spend limits: a bad amount says what to fix; a good one is saved and shown after a reload.
  const teamLimit = page.getByLabel("The whole team");
  await teamLimit.fill("12.5.1");
  await page.getByTestId("limit-row").first().getByRole("button", { name: "Save limit" }).click();
  await expect(page.getByTestId("limit-row").first().getByRole("alert")).toContainText("not an amount");
  await teamLimit.fill("1,000.5");
  await page.getByTestId("limit-row").first().getByRole("button", { name: "Save limit" }).click();
  await expect(page.getByTestId("limit-row").first().getByRole("button", { name: "Save limit" })).toBeDisabled();
  await reloadHydrated(page);
  await expect(page.getByLabel("The whole team")).toHaveValue("1000.5");

  // The CSV export has the deposit and the charge.
  const csv = await page.request.get("/api/billing/statement.csv");
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).trim().split("\n");
  expect(lines[0]).toBe("date,kind,description,amount_spon,amount_wei,balance_after_spon,balance_after_wei");
  expect(lines.find((l) => l.includes(",deposit,"))).toContain(",250,250000000000000000000,");
  expect(lines.find((l) => l.includes(",usage,"))).toContain(`,${chargeWei},`);
});

test("a browser wallet approves and deposits in two clicks; the deposit is credited", async ({ page }) => {
  await signUp(page, uniqueEmail("wallet"));
  const instructions = await trpcCall<{ rpcUrl: string; tokenAddress: Address }>(page.request, "billing.depositInstructions", undefined, "query");

  // The person's wallet holds 1,000 SPON, minted by the devnet's operator (anvil's unlocked account 0 signs it).
  const mint = await anvilRpc(instructions.rpcUrl, ANVIL_WALLET_ACCOUNT, {
    method: "eth_sendTransaction",
    params: [{ from: DEVNET_OPERATOR, to: instructions.tokenAddress, data: encodeFunctionData({ abi: sponTokenAbi, functionName: "mint", args: [ANVIL_WALLET_ACCOUNT, 1000n * 10n ** 18n] }) }],
  });
  if (!("result" in mint)) throw new Error(`minting failed: ${mint.error.message}`);
  const receipt = await anvilRpc(instructions.rpcUrl, ANVIL_WALLET_ACCOUNT, { method: "eth_getTransactionReceipt", params: [mint.result] });
  expect(receipt).toMatchObject({ result: { status: "0x1" } });

  // window.ethereum forwards every request to anvil through the test (the page's CSP allows only its own origin).
  await page.exposeFunction("__anvilRequest", (call: { method: string; params?: unknown }) => anvilRpc(instructions.rpcUrl, ANVIL_WALLET_ACCOUNT, call));
  await page.addInitScript(() => {
    const forward = (window as unknown as { __anvilRequest: (call: unknown) => Promise<{ result?: unknown; error?: { code: number; message: string } }> }).__anvilRequest;
    (window as unknown as { ethereum: unknown }).ethereum = {
      async request(call: { method: string; params?: unknown }) {
        const answer = await forward(call);
        if (answer.error) throw Object.assign(new Error(answer.error.message), answer.error);
        return answer.result;
      },
      on() {},
      removeListener() {},
    };
  });
  await gotoHydrated(page, "/billing");

  await page.getByRole("button", { name: "Connect wallet" }).click();
  const panel = page.getByTestId("wallet-deposit");
  await expect(panel.getByTestId("wallet-address")).toHaveText(ANVIL_WALLET_ACCOUNT);
  await expect(panel.getByTestId("wallet-spon")).toHaveText("1,000.00 SPON");
  await expect(panel.getByRole("button", { name: "2. Deposit" })).toBeDisabled();

  await panel.getByLabel("Amount to deposit (SPON)").fill("40");
  await panel.getByRole("button", { name: "1. Approve 40.00 SPON" }).click();
  await expect(panel.getByRole("button", { name: "2. Deposit" })).toBeEnabled();
  await panel.getByRole("button", { name: "2. Deposit" }).click();
  const done = panel.getByRole("status").filter({ hasText: "Deposited in" });
  await expect(done).toBeVisible();
  await expect(panel.getByTestId("wallet-spon")).toHaveText("960.00 SPON");
  const txHash = (await done.locator(".font-mono").textContent())!;
  await expectPendingThenCredited(page, txHash);
  await expect(page.getByTestId("balance-available")).toContainText("40.00 SPON");
});

test("a viewer sees the balance, deposits, limits and earnings, but cannot fund, set limits or settle", async ({ page, browser, baseURL }) => {
  await signUp(page, uniqueEmail("billing-owner"));
  await trpcCall(page.request, "billing.setTeamLimit", { monthlySpon: "75" });
  const viewerEmail = uniqueEmail("billing-viewer");
  const { link } = await trpcCall<{ link: string }>(page.request, "team.invitations.create", { email: viewerEmail, role: "viewer" });

  const context = await browser.newContext({ baseURL });
  const viewer = await context.newPage();
  await signUp(viewer, viewerEmail, "Vera Viewer");
  await trpcCall(viewer.request, "team.invitations.accept", { token: link.split("/invite/")[1], open: true });
  await gotoHydrated(viewer, "/billing");

  await expect(viewer.getByTestId("balance-available")).toContainText("0.00 SPON");
  await expect(viewer.getByTestId("deposit-ref")).toHaveText(/^0x[0-9a-f]{64}$/);
  await expect(viewer.getByTestId("funds-admins-only")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Get test SPON" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Connect wallet" })).toHaveCount(0);
  const teamLimit = viewer.getByTestId("limit-row").first();
  await expect(teamLimit).toContainText("75.00 SPON");
  await expect(viewer.getByTestId("spend-limits").getByRole("button", { name: "Save limit" })).toHaveCount(0);
  await expect(viewer.getByTestId("spend-limits").getByRole("textbox")).toHaveCount(0);
  await expect(viewer.getByTestId("earnings")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Settle now" })).toHaveCount(0);

  // The server refuses them too, whatever the page shows.
  await expect(trpcCall(viewer.request, "billing.getTestSpon", { amountSpon: "5" })).rejects.toThrow(/\(403\)/);
  await expect(trpcCall(viewer.request, "billing.setTeamLimit", { monthlySpon: null })).rejects.toThrow(/\(403\)/);
  await context.close();
});
