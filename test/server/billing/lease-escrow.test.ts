/**
 * Deployments paid from escrow (ADR 031), on a real host with its anvil devnet and a real node
 * process that joined with a provider team's join token: the escrow is reserved and locked at
 * deploy, streamed to the node's address by the second, closed at stop with the rest returned,
 * refused with "Add funds" when the team cannot pay (nothing reserved), never overspent by two
 * deploys at once, and closed with "Funds ran out" when the lease has spent its escrow. After
 * each, the ledger equals the chain to the wei.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClient, formatEther, http, parseEther } from "viem";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import { FUNDS_RAN_OUT, providerAddressFor } from "#server/billing/lease-billing";
import { ROLLING_ESCROW_SECONDS } from "#server/services/lease-billing-sync";
import type { ServerCaller } from "#server/trpc/root";
import { flowFixture, startNodeProcess, type NodeProcess } from "../marketplace/support";
import { startGatewayHost, type GatewayHost } from "../gateway/support";

let host: GatewayHost;
let upstream: DevModelServer;
let tenant: ServerCaller;
let provider: ServerCaller;
let node: NodeProcess;

const MODEL = "Qwen/Qwen2.5-7B-Instruct";
const endpointInput = { modelId: MODEL, durationHours: 1, idleMinutes: null, gpu: "a10", mode: "provider" } as const;

const billing = () => host.skyloom.services.billing;
const chain = () => billing().requireChain("test");
const wei = (m: { wei: string }) => BigInt(m.wei);
const balances = async (who: ServerCaller = tenant) => {
  const s = await who.billing.summary();
  return { available: wei(s.available), held: wei(s.held) };
};
const reconciled = async () => (await chain().reconcile()).differences;
const escrowRows = () => billing().sqlite.prepare<[], { n: number }>("SELECT count(*) AS n FROM lease_escrows").get()!.n;
/** What one endpoint of `endpointInput` locks, read from the first refusal. */
let escrowOfOne = 0n;

/** Deposits test SPON and waits until the watcher credited it. */
async function fund(amountWei: bigint, who: ServerCaller = tenant) {
  const before = (await balances(who)).available;
  await who.billing.getTestSpon({ amountSpon: formatEther(amountWei) });
  await expect.poll(async () => (await balances(who)).available, { timeout: 20_000, interval: 100 }).toBe(before + amountWei);
}

async function waitLeased(id: string, who: ServerCaller = tenant) {
  await expect.poll(async () => (await who.endpoint.get({ id })).escrow?.state, { timeout: 60_000, interval: 100 }).toBe("leased");
  return who.endpoint.get({ id });
}

beforeAll(async () => {
  upstream = await startDevModelServer();
  host = await startGatewayHost(
    { SKYLOOM_MARKETPLACE_NODES: "0", SKYLOOM_WELCOME_TEST_SPON: "0", SKYLOOM_SIGNUPS_PER_HOUR: "100" },
    { billing: true, marketplace: { nodes: [], matchmaker: { heartbeatIntervalMs: 200, heartbeatTimeoutMs: 10_000, bidWindowMs: 1_500 } } },
  );
  tenant = await host.person("tenant@example.com");
  provider = await host.person("provider@example.com");
  const { token } = await provider.node.joinTokens.create({ name: "gpu box" });
  node = await startNodeProcess(`${host.url}/market/v1`, ["--kind", "provider", "--name", "gpu-box", "--gpu", "a10:4", "--price-percent", "50", "--serve-openai", upstream.baseUrl], { token });
}, 90_000);

afterAll(async () => {
  await node?.stop();
  await host?.close();
  await upstream?.close();
});

describe("deploying with no money", () => {
  it("is refused with what it needs and what is available; nothing is reserved or placed", async () => {
    const error = await tenant.endpoint.create(endpointInput).catch((e: unknown) => e as TRPCError);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("PRECONDITION_FAILED");
    expect((error as TRPCError).message).toMatch(/^Add funds: this deployment needs [\d.]+ SPON in escrow, available 0 SPON\./);
    escrowOfOne = parseEther(/needs ([\d.]+) SPON/.exec((error as TRPCError).message)![1]!);
    expect(escrowOfOne).toBeGreaterThan(0n);
    expect(await tenant.endpoint.list()).toEqual([]);
    expect(escrowRows()).toBe(0);
    expect(await balances()).toEqual({ available: 0n, held: 0n });
  });
});

describe("an endpoint's lease paid from escrow", () => {
  it("holds the escrow at deploy, streams it to the node by the second, returns the rest at stop; ledger = chain", async () => {
    const escrow = escrowOfOne;
    await fund(parseEther("10"));
    const created = await tenant.endpoint.create(endpointInput);
    expect(await balances()).toEqual({ available: parseEther("10") - escrow, held: escrow });

    const leased = await waitLeased(created.id);
    expect(leased.escrow).toMatchObject({ state: "leased", stopMessage: null });
    // The lease's rate is the winning bid's, in the same wei/s the endpoint shows as its price.
    expect(leased.escrow?.price?.weiPerSecond).toBe(leased.price?.weiPerSecond);
    const rate = BigInt(leased.price!.weiPerSecond);
    await expect.poll(async () => wei((await tenant.endpoint.get({ id: created.id })).escrow!.spent), { timeout: 10_000, interval: 200 }).toBeGreaterThanOrEqual(rate * 2n);

    // The node joined with the provider team's token: its address is that team's earnings.
    const address = providerAddressFor(node.nodeId).toLowerCase();
    expect((await provider.billing.earnings()).providers.map((p) => p.address)).toEqual([address]);

    const stopped = await tenant.endpoint.stop({ id: created.id });
    expect(stopped.escrow?.state).toBe("closed");
    const paid = wei(stopped.escrow!.spent);
    expect(paid).toBeGreaterThanOrEqual(rate * 2n);
    expect(paid % rate).toBe(0n); // whole seconds at the lease's rate
    // The watcher posts the close: the provider's share to its earnings, the rest back to available.
    await expect.poll(balances, { timeout: 20_000, interval: 100 }).toEqual({ available: parseEther("10") - paid, held: 0n });
    expect(await chain().chain.escrow.read.earnings([address as `0x${string}`])).toBe(paid);
    expect(await reconciled()).toEqual([]);

    // Stopping again changes nothing.
    await tenant.endpoint.stop({ id: created.id });
    expect(await balances()).toEqual({ available: parseEther("10") - paid, held: 0n });

    // The spend is the endpoint's, by name, in usage and on the statement.
    const usage = await tenant.billing.usage({ days: 1, groupBy: "endpoint" });
    expect(usage.groups).toEqual([{ key: created.id, label: created.slug }]);
    expect(wei(usage.days.at(-1)!.byGroup[created.id]!.cost)).toBe(paid);
    const statement = (await tenant.billing.statement({})).entries.map((e) => e.description);
    expect(statement).toEqual(expect.arrayContaining([`Held for endpoint ${created.slug}`, `Lease of endpoint ${created.slug} closed: unused escrow returned`]));
  }, 90_000);

  it("two deploys at once cannot reserve the same money: one is refused, nothing goes negative", async () => {
    const carol = await host.person("carol@example.com");
    await fund((escrowOfOne * 3n) / 2n, carol);
    const results = await Promise.allSettled([carol.endpoint.create(endpointInput), carol.endpoint.create(endpointInput)]);
    const made = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as TRPCError] : []));
    expect(made).toHaveLength(1);
    expect(refused.map((e) => e.code)).toEqual(["PRECONDITION_FAILED"]);
    expect(await balances(carol)).toEqual({ available: escrowOfOne / 2n, held: escrowOfOne });
    expect(await carol.endpoint.list()).toHaveLength(1);
    await carol.endpoint.stop({ id: made[0]!.id });
    await expect.poll(async () => (await balances(carol)).held, { timeout: 20_000, interval: 100 }).toBe(0n);
    expect((await balances(carol)).available).toBeLessThanOrEqual((escrowOfOne * 3n) / 2n);
    expect(await reconciled()).toEqual([]);
  }, 90_000);
});

describe("a flow's deployment paid from escrow", () => {
  it("redeploying orders anew and closes the old order once the new one is ready; stop returns the rest; the statement names it", async () => {
    // A team of its own: what earlier tests left running or pending cannot move its balance.
    const tenant = await host.person("dora@example.com");
    await fund(parseEther("10"), tenant);
    const flow = await tenant.flow.create({ name: "Billed flow", graph: flowFixture("gpu-llm-endpoint").graph });
    const before = await balances(tenant);
    const [first] = await tenant.deployment.create({ flowId: flow.id, durationHours: 1 });
    await expect.poll(async () => (await tenant.deployment.get({ id: first!.id })).escrow?.state, { timeout: 60_000, interval: 100 }).toBe("leased");
    // Held and spent from one read: two reads a second apart would count that second twice.
    const { escrow } = await tenant.deployment.get({ id: first!.id });
    expect((await balances(tenant)).held).toBe(before.held + wei(escrow!.held) + wei(escrow!.spent));

    const [second] = await tenant.deployment.redeploy({ id: first!.id });
    await expect.poll(async () => (await tenant.deployment.get({ id: second!.id })).escrow?.state, { timeout: 60_000, interval: 100 }).toBe("leased");
    // The old deployment stops once the new one is ready, and its order closes with it.
    await expect.poll(async () => (await tenant.deployment.get({ id: first!.id })).escrow?.state, { timeout: 60_000, interval: 100 }).toBe("closed");
    await tenant.deployment.stop({ id: second!.id });
    expect((await tenant.deployment.get({ id: second!.id })).escrow?.state).toBe("closed");
    await expect.poll(async () => (await balances(tenant)).held, { timeout: 30_000, interval: 100 }).toBe(before.held);
    const spent = wei((await tenant.deployment.get({ id: first!.id })).escrow!.spent) + wei((await tenant.deployment.get({ id: second!.id })).escrow!.spent);
    expect((await balances(tenant)).available).toBe(before.available - spent);
    const lines = (await tenant.billing.statement({})).entries.map((e) => e.description);
    expect(lines).toContain("Lease of deployment Billed flow v1 closed: unused escrow returned");
    expect(lines).toContain("Lease of deployment Billed flow v2 closed: unused escrow returned");
    expect(await reconciled()).toEqual([]);
  }, 180_000);
});

describe("the watchdog", () => {
  it("closes a lease whose escrow ran out and stops the endpoint with the reason, shown on it and in its events", async () => {
    const tenant = await host.person("erin@example.com");
    await fund(escrowOfOne * 2n, tenant);
    const created = await tenant.endpoint.create(endpointInput);
    const leased = await waitLeased(created.id, tenant);
    // The gateway's slug lookup is cached: the stop by billing must reach it too.
    const endpoints = host.skyloom.services.endpoints;
    const { team_id: teamId } = billing().sqlite.prepare<[string], { team_id: string }>("SELECT team_id FROM model_endpoints WHERE id = ?").get(created.id)!;
    expect(endpoints.findBySlug(teamId, created.slug)?.state).toBe("running");
    // Time passes on the chain until the lease has streamed its whole escrow (it bid below the maximum, so it lasts past the hour).
    const seconds = Number(escrowOfOne / BigInt(leased.price!.weiPerSecond)) + 5;
    const test = createTestClient({ mode: "anvil", transport: http(chain().chain.chain.rpcUrls.default.http[0]) });
    await test.increaseTime({ seconds });
    await test.mine({ blocks: 1 });
    await expect.poll(async () => (await tenant.endpoint.get({ id: created.id })).state, { timeout: 40_000, interval: 100 }).toBe("stopped");
    const after = await tenant.endpoint.get({ id: created.id });
    expect(after.message).toBe(FUNDS_RAN_OUT);
    expect(after.escrow).toMatchObject({ state: "closed", stopMessage: FUNDS_RAN_OUT });
    expect(endpoints.findBySlug(teamId, created.slug)?.state).toBe("stopped");
    expect((await tenant.endpoint.events({ id: created.id })).events.map((e) => e.text)).toContain(FUNDS_RAN_OUT);
    await expect.poll(async () => (await balances(tenant)).held, { timeout: 40_000, interval: 100 }).toBe(0n);
    expect((await balances(tenant)).available).toBeGreaterThanOrEqual(0n);
    expect(await reconciled()).toEqual([]);
  }, 180_000);

  it("renews an \"until stopped\" lease a day of escrow at a time, on the same lease, instead of stopping it", async () => {
    const tenant = await host.person("frank@example.com");
    await fund(parseEther("10"), tenant);
    const before = await balances(tenant);
    const created = await tenant.endpoint.create({ ...endpointInput, durationHours: null });
    const leased = await waitLeased(created.id, tenant);
    const day = BigInt(created.maxPrice.weiPerSecond) * BigInt(ROLLING_ESCROW_SECONDS);
    expect(await balances(tenant)).toEqual({ available: before.available - day, held: before.held + day });
    const test = createTestClient({ mode: "anvil", transport: http(chain().chain.chain.rpcUrls.default.http[0]) });
    await test.increaseTime({ seconds: Number(day / BigInt(leased.price!.weiPerSecond)) + 5 });
    await test.mine({ blocks: 1 });
    const orders = () => billing().leases.ordersOf(created.deploymentId!);
    await expect.poll(() => orders().map((o) => o.state), { timeout: 40_000, interval: 100 }).toEqual(["leased", "closed"]);
    expect(new Set(orders().map((o) => o.lease_id))).toEqual(new Set([leased.lease!.id]));
    expect((await tenant.endpoint.get({ id: created.id })).state).toBe("running");
    await tenant.endpoint.stop({ id: created.id });
    await expect.poll(async () => (await balances(tenant)).held, { timeout: 40_000, interval: 100 }).toBe(before.held);
    expect(await reconciled()).toEqual([]);
  }, 180_000);
});
