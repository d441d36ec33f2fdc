/**
 * On the devnet as `npm start` runs it: a new team's welcome test SPON lets its first /v1 call
 * answer; a lease streams a team's escrow to a provider, whose team sees it pending, settles it
 * on demand in one batch, and then sees it earned; the ledger equals the chain to the wei.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClient, http, parseEther } from "viem";
import { linkProvider } from "#server/billing/earnings";
import { healthOf } from "#server/http/health";
import { devnetAccount } from "#server/chain/devnet";
import type { ServerCaller } from "#server/trpc/root";
import { id32 } from "../chain/support";
import { helloAgentGraph, startGatewayHost, type GatewayHost } from "../gateway/support";

let host: GatewayHost;
let tenant: ServerCaller;
let provider: ServerCaller;

beforeAll(async () => {
  host = await startGatewayHost({}, { billing: true });
  tenant = await host.person("tenant@example.com");
  provider = await host.person("provider@example.com");
}, 60_000);

afterAll(async () => {
  await host?.close();
});

const teamIdOf = async (caller: ServerCaller) => (await caller.team.list())[0]!.id;

describe("the devnet's welcome grant", () => {
  it("lets a new team's first /v1 call answer: it waits for the grant's credit once", async () => {
    const flow = await tenant.flow.create({ name: "First Bot", graph: helloAgentGraph() });
    const { slug } = await tenant.agent.publish({ flowId: flow.id });
    const { token } = await tenant.apiKey.create({ name: "first", kind: "secret" });
    const answer = await host.openai(token).chat.completions.create({ model: slug, messages: [{ role: "user", content: "Hi" }] });
    expect(answer.object).toBe("chat.completion");
    host.skyloom.services.runStore.storeFinished();
    const summary = await tenant.billing.summary();
    expect(BigInt(summary.available.wei) + BigInt(summary.metered.wei)).toBe(parseEther("100"));
    expect(BigInt(summary.metered.wei)).toBeGreaterThan(0n);
    expect((await tenant.billing.deposits({})).map((d) => [d.status, d.amount.spon])).toEqual([["credited", "100"]]);
  }, 60_000);
});

describe("provider payouts", () => {
  it("shows a running lease's earnings pending, settles them in one batch on demand, then earned; ledger = chain", async () => {
    const billing = host.skyloom.services.billing;
    const chain = billing.requireChain("test").chain;
    const providerAddress = devnetAccount(7).address;
    linkProvider(billing.sqlite, { teamId: await teamIdOf(provider), address: providerAddress, label: "gpu-node-1" });

    // The tenant's escrow: a lease locked and started at 0.001 SPON/s (what the marketplace does).
    const orderId = id32(`order-${Date.now()}`);
    const rate = parseEther("0.001");
    await chain.escrowTx.lock(orderId, billing.depositRef(await teamIdOf(tenant)), parseEther("1"));
    await chain.escrowTx.startLease(orderId, providerAddress, rate);
    await createTestClient({ mode: "anvil", transport: http(chain.chain.rpcUrls.default.http[0]) }).increaseTime({ seconds: 60 });
    await expect.poll(async () => BigInt((await provider.billing.earnings()).pending.wei), { timeout: 15_000, interval: 200 }).toBeGreaterThanOrEqual(rate * 60n);
    expect((await provider.billing.earnings()).providers).toEqual([
      expect.objectContaining({ address: providerAddress.toLowerCase(), label: "gpu-node-1", earned: { wei: "0", spon: "0" }, paid: { wei: "0", spon: "0" } }),
    ]);
    // The tenant sees none of the provider's side; the provider's settle covers only its own leases.
    expect((await tenant.billing.earnings()).providers).toEqual([]);
    expect(await tenant.billing.settleEarnings()).toEqual({ txHash: null, leases: 0, amount: { wei: "0", spon: "0" } });

    const settled = await provider.billing.settleEarnings();
    expect(settled).toMatchObject({ txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/), leases: 1 });
    await expect.poll(async () => (await provider.billing.earnings()).earned.wei, { timeout: 15_000, interval: 100 }).not.toBe("0");
    const earned = BigInt((await provider.billing.earnings()).earned.wei);
    expect(earned).toBeGreaterThanOrEqual(BigInt(settled.amount.wei));
    expect(earned).toBe(await chain.escrow.read.earnings([providerAddress]));

    // The tenant's statement shows the hold; its held balance is what the lease has left.
    await expect.poll(async () => (await tenant.billing.statement({})).entries.map((e) => e.kind), { timeout: 15_000, interval: 100 }).toContain("order.lock");
    const held = BigInt((await tenant.billing.summary()).held.wei);
    expect(held).toBe(parseEther("1") - earned);

    expect((await billing.chain!.reconcile()).differences).toEqual([]);
    expect(healthOf(host.skyloom.services)).toMatchObject({ status: "ok", billing: { status: "ok", devnet: true, chainId: 31337, error: null } });
  }, 60_000);
});
