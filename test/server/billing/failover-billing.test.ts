/**
 * Failover with billing on (ADR 029, 031), on the host's anvil devnet and two real node
 * processes: an endpoint leased on node A, A killed with SIGKILL, the matchmaker's heartbeat
 * sweep moves the lease to node B. The team pays A only until A's lease ended (its escrow order
 * closed on chain: what accrued to A, the rest refunded), B's lease is held and streams, nothing
 * is held twice or goes negative, and the ledger equals the chain to the wei.
 *
 * The team has money for one lease's escrow and a half: B's escrow can be held only once A's
 * refund is back in the ledger, as it is on the chain.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatEther, parseEther, type Hash } from "viem";
import { accountId } from "#server/billing/accounts";
import { providerAddressFor } from "#server/billing/lease-billing";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import type { ServerCaller } from "#server/trpc/root";
import { startNodeProcess, type NodeProcess } from "../marketplace/support";
import { startGatewayHost, type GatewayHost } from "../gateway/support";

let host: GatewayHost;
let upstream: DevModelServer;
let tenant: ServerCaller;
let nodeA: NodeProcess;
let nodeB: NodeProcess;

const endpointInput = { modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null, gpu: "a10", mode: "provider" } as const;
const billing = () => host.skyloom.services.billing;
const chain = () => billing().requireChain("test");
const wei = (m: { wei: string }) => BigInt(m.wei);
const balances = async () => {
  const s = await tenant.billing.summary();
  return { available: wei(s.available), held: wei(s.held) };
};
/**
 * Reconciliation reads the chain at the watcher's block: B's escrow is reserved in the ledger
 * before its lock is sent, so they agree once the watcher has passed the lock's block (five
 * confirmations here).
 */
const ledgerEqualsChain = () => expect.poll(async () => (await chain().reconcile()).differences, { timeout: 30_000, interval: 250 }).toEqual([]);
/** SponEscrow.OrderState */
const CLOSED = 3;
const LEASED = 2;

beforeAll(async () => {
  upstream = await startDevModelServer();
  // A node is "down" 2 s after its last heartbeat: that sweep is what moves the lease (no client traffic).
  host = await startGatewayHost(
    // Five confirmations (a real chain's ten, shortened): the watcher posts A's refund a few blocks after A's close.
    { SKYLOOM_MARKETPLACE_NODES: "0", SKYLOOM_WELCOME_TEST_SPON: "0", CHAIN_CONFIRMATIONS: "5" },
    { billing: true, marketplace: { nodes: [], matchmaker: { heartbeatIntervalMs: 200, heartbeatTimeoutMs: 2_000, bidWindowMs: 300, failoverRetryMs: 300, failoverRetries: 100 } } },
  );
  tenant = await host.person("failover-tenant@example.com");
  const provider = await host.person("failover-provider@example.com");
  const { token } = await provider.node.joinTokens.create({ name: "two boxes" });
  const args = (name: string, percent: number) => ["--kind", "provider", "--name", name, "--gpu", "a10:1", "--price-percent", String(percent), "--serve-openai", upstream.baseUrl];
  // A bids lower, so it wins the first lease; B is there to take it over.
  nodeA = await startNodeProcess(`${host.url}/market/v1`, args("box-a", 50), { token });
  nodeB = await startNodeProcess(`${host.url}/market/v1`, args("box-b", 80), { token });
}, 90_000);

afterAll(async () => {
  await nodeA?.stop();
  await nodeB?.stop();
  await host?.close();
  await upstream?.close();
});

describe("failover of a billed endpoint after kill -9 of its node", () => {
  it("bills A up to its end, holds and streams B, holds nothing twice, and the ledger equals the chain", async () => {
    // What one endpoint's escrow is, from the refusal with no money; then money for one and a half.
    const refusal = await tenant.endpoint.create(endpointInput).catch((e: unknown) => e as TRPCError);
    expect(refusal).toBeInstanceOf(TRPCError);
    const escrowOfOne = parseEther(/needs ([\d.]+) SPON/.exec((refusal as TRPCError).message)![1]!);
    const funds = (escrowOfOne * 3n) / 2n;
    await tenant.billing.getTestSpon({ amountSpon: formatEther(funds) });
    await expect.poll(async () => (await balances()).available, { timeout: 20_000, interval: 100 }).toBe(funds);

    const created = await tenant.endpoint.create(endpointInput);
    const deploymentId = created.deploymentId!;
    const orders = () => billing().leases.ordersOf(deploymentId);
    await expect.poll(() => orders()[0]?.state, { timeout: 30_000, interval: 100 }).toBe("leased");
    const orderA = orders()[0]!;
    expect(orderA.node_id).toBe(nodeA.nodeId);
    const rateA = BigInt(orderA.rate_per_second!);
    await expect.poll(async () => wei((await tenant.endpoint.get({ id: created.id })).escrow!.spent), { timeout: 10_000, interval: 200 }).toBeGreaterThanOrEqual(rateA * 2n);

    nodeA.child.kill("SIGKILL");

    // The deployment goes on: a new order on B, leased. (The bug this guards: B's escrow reserved
    // before A's refund was in the ledger found no money and stopped it with "Funds ran out".)
    const where = async () => {
      const endpoint = await tenant.endpoint.get({ id: created.id });
      if (endpoint.state === "stopped") return `stopped: ${endpoint.message}`;
      const newest = orders()[0]!;
      return `${newest.state} on ${newest.node_id === nodeB.nodeId ? "B" : newest.node_id === nodeA.nodeId ? "A" : newest.node_id}`;
    };
    await expect.poll(where, { timeout: 60_000, interval: 200 }).toMatch(/^(leased on B|stopped)/);
    expect(await where()).toBe("leased on B");
    const all = orders();
    expect(all.map((o) => [o.order_id, o.state])).toEqual([
      [all[0]!.order_id, "leased"],
      [orderA.order_id, "closed"],
    ]);
    const orderB = all[0]!;

    // A on the chain: closed, paid by the second from its start to its end, and its end no later
    // than A's market lease ended (plus the sync's pass and a block) and than B's start.
    const [, providerA, stateA, startedA, endedA, , lockedA, paidA] = await chain().chain.escrow.read.orders([orderA.order_id as Hash]);
    expect(stateA).toBe(CLOSED);
    expect(providerA).toBe(providerAddressFor(nodeA.nodeId));
    expect(paidA).toBe(rateA * (endedA - startedA));
    expect(paidA).toBeLessThan(lockedA);
    expect(billing().leases.row(orderA.order_id as Hash)?.paid_wei).toBe(String(paidA));
    const leaseAClosedAt = billing()
      .sqlite.prepare<[string], { closed_at: number | null }>("SELECT closed_at FROM market_leases WHERE id = ?")
      .get(orderA.lease_id!)!.closed_at;
    expect(leaseAClosedAt).not.toBeNull();
    expect(Number(endedA)).toBeLessThanOrEqual(Math.ceil(leaseAClosedAt! / 1000) + 10);
    const [, providerB, stateB, startedB] = await chain().chain.escrow.read.orders([orderB.order_id as Hash]);
    expect(stateB).toBe(LEASED);
    expect(providerB).toBe(providerAddressFor(nodeB.nodeId));
    expect(endedA).toBeLessThanOrEqual(startedB);
    expect(await chain().chain.escrow.read.earnings([providerAddressFor(nodeA.nodeId)])).toBe(paidA);

    // The ledger: A's refund back, A's pay to its provider, B's escrow held once.
    const escrowB = BigInt(orderB.escrow_wei);
    await expect.poll(balances, { timeout: 20_000, interval: 100 }).toEqual({ available: funds - paidA - escrowB, held: escrowB });
    const teamId = orderA.team_id;
    expect(billing().ledger.balanceOf(accountId.providerEarnings(providerAddressFor(nodeA.nodeId).toLowerCase()))).toBe(paidA);
    const kinds = (orderId: string) =>
      billing()
        .sqlite.prepare<[string], { kind: string }>("SELECT kind FROM ledger_entries WHERE memo = ? ORDER BY id")
        .all(orderId)
        .map((e) => e.kind);
    expect(kinds(orderA.order_id)).toEqual(["lease.reserve", "lease.settle", "lease.refund"]);
    expect(kinds(orderB.order_id)).toEqual(["lease.reserve"]);

    // B streams by the second.
    const rateB = BigInt(orderB.rate_per_second!);
    await expect.poll(async () => wei((await tenant.endpoint.get({ id: created.id })).escrow!.spent), { timeout: 10_000, interval: 200 }).toBeGreaterThanOrEqual(rateB * 2n);
    expect((await tenant.endpoint.get({ id: created.id })).escrow?.state).toBe("leased");
    // The chain's clock is the last block's: it follows the host's by up to a block.
    await expect.poll(() => chain().chain.escrow.read.accrued([orderB.order_id as Hash]), { timeout: 10_000, interval: 200 }).toBeGreaterThanOrEqual(rateB * 2n);

    // Nothing negative, every posting balanced, ledger == chain to the wei.
    expect(billing().ledger.audit()).toEqual([]);
    expect(
      billing()
        .sqlite.prepare("SELECT account_id, balance_after FROM ledger_lines WHERE balance_after LIKE '-%' AND account_id <> ?")
        .all(accountId.chainEscrow()),
    ).toEqual([]);
    await ledgerEqualsChain();

    // Stopping pays B what accrued and returns the rest: the team paid A and B, nothing else.
    await tenant.endpoint.stop({ id: created.id });
    const paidB = (await chain().chain.escrow.read.orders([orderB.order_id as Hash]))[7];
    expect(paidB).toBeGreaterThan(0n);
    await expect.poll(balances, { timeout: 20_000, interval: 100 }).toEqual({ available: funds - paidA - paidB, held: 0n });
    expect(billing().ledger.balanceOf(accountId.available({ teamId }))).toBe(funds - paidA - paidB);
    await ledgerEqualsChain();
  }, 180_000);
});
