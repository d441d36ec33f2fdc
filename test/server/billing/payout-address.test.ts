/**
 * A node operator's own payout address (`skyloom node --payout-address`, ADR 031): sent on join,
 * stored on the node, used when its lease starts on the escrow, so settled earnings arrive there
 * on the anvil devnet (and its owner can withdraw them to its wallet). Settings → Nodes and the
 * earnings show it; a node without the flag keeps the derived address. A bad address is refused
 * by the node program (exit 2, naming the flag) and by the matchmaker (400), which trusts no node.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClient, formatEther, http, parseEther, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { providerAddressFor } from "#server/billing/lease-billing";
import { startDevModelServer, type DevModelServer } from "#server/dev-model/server";
import type { ServerCaller } from "#server/trpc/root";
import { projectRoot } from "#db/root";
import { startNodeProcess, type NodeProcess } from "../marketplace/support";
import { startGatewayHost, type GatewayHost } from "../gateway/support";

let host: GatewayHost;
let upstream: DevModelServer;
let tenant: ServerCaller;
let provider: ServerCaller;
let node: NodeProcess;
let joinToken = "";
const payoutKey = generatePrivateKey();
const payout = privateKeyToAccount(payoutKey);

const MODEL = "Qwen/Qwen2.5-7B-Instruct";
const chain = () => host.skyloom.services.billing.requireChain("test").chain;
const wei = (m: { wei: string }) => BigInt(m.wei);

beforeAll(async () => {
  upstream = await startDevModelServer();
  host = await startGatewayHost(
    { SKYLOOM_MARKETPLACE_NODES: "0", SKYLOOM_WELCOME_TEST_SPON: "0" },
    { billing: true, marketplace: { nodes: [], matchmaker: { heartbeatIntervalMs: 200, heartbeatTimeoutMs: 10_000, bidWindowMs: 300 } } },
  );
  tenant = await host.person("payout-tenant@example.com");
  provider = await host.person("payout-provider@example.com");
  joinToken = (await provider.node.joinTokens.create({ name: "own wallet box" })).token;
  // All lower case on the command line: the node stores and sends the checksummed form.
  node = await startNodeProcess(
    `${host.url}/market/v1`,
    ["--kind", "provider", "--name", "own-wallet", "--gpu", "a10:4", "--price-percent", "50", "--serve-openai", upstream.baseUrl, "--payout-address", payout.address.toLowerCase()],
    { token: joinToken },
  );
}, 90_000);

afterAll(async () => {
  await node?.stop();
  await host?.close();
  await upstream?.close();
});

describe("a node with --payout-address", () => {
  it("is paid at that address: the lease starts to it, settled earnings arrive there, and its owner withdraws them", async () => {
    const listed = (await provider.node.list()).find((n) => n.id === node.nodeId);
    expect(listed?.payoutAddress).toBe(payout.address);

    const funds = parseEther("10");
    const before = wei((await tenant.billing.summary()).available);
    await tenant.billing.getTestSpon({ amountSpon: formatEther(funds) });
    await expect.poll(async () => wei((await tenant.billing.summary()).available), { timeout: 20_000, interval: 100 }).toBe(before + funds);
    const created = await tenant.endpoint.create({ modelId: MODEL, durationHours: 1, idleMinutes: null, gpu: "a10", mode: "provider" });
    await expect.poll(async () => (await tenant.endpoint.get({ id: created.id })).escrow?.state, { timeout: 30_000, interval: 100 }).toBe("leased");
    const { order_id: orderId } = host.skyloom.services.billing.sqlite.prepare<[string], { order_id: `0x${string}` }>("SELECT order_id FROM lease_escrows WHERE subject_id = ?").get(created.id)!;
    expect((await chain().escrow.read.orders([orderId]))[1]).toBe(payout.address);

    // The provider team's earnings name the address, not a derived one.
    const earnings = await provider.billing.earnings();
    expect(earnings.providers).toEqual([expect.objectContaining({ address: payout.address.toLowerCase(), nodeId: node.nodeId, derivedAddress: false })]);

    // Once a second has streamed, settle on demand: the earnings are the payout address's on the escrow.
    await expect.poll(async () => wei((await provider.billing.earnings()).pending), { timeout: 10_000, interval: 200 }).toBeGreaterThan(0n);
    const settled = await provider.billing.settleEarnings();
    expect(settled.leases).toBe(1);
    const earned = await chain().escrow.read.earnings([payout.address]);
    expect(earned).toBeGreaterThanOrEqual(wei(settled.amount));
    expect(earned).toBeGreaterThan(0n);
    expect(await chain().escrow.read.earnings([providerAddressFor(node.nodeId)])).toBe(0n);

    // Only the payout key can take them out, to its own wallet.
    const test = createTestClient({ mode: "anvil", transport: http(chain().chain.rpcUrls.default.http[0]) });
    await test.setBalance({ address: payout.address, value: parseEther("1") });
    await chain().escrowTx.withdrawEarnings(chain().walletFor(payout), payout.address, earned);
    expect(await chain().token.read.balanceOf([payout.address])).toBe(earned);

    await tenant.endpoint.stop({ id: created.id });
    await expect.poll(async () => (await host.skyloom.services.billing.requireChain("test").reconcile()).differences, { timeout: 20_000, interval: 200 }).toEqual([]);
  }, 120_000);
});

/** Runs the node program with `args` until it exits; its exit code and what it wrote to stderr. */
function nodeProgramExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const root = projectRoot();
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "server/marketplace/node/main.ts"), ...args], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

describe("a bad payout address", () => {
  it("stops the node program before it joins, with a message naming the flag", async () => {
    const base = ["--kind", "provider", "--join", `${host.url}/market/v1`, "--token", joinToken, "--name", "bad-wallet"];
    // A valid address with one letter's case flipped: the checksum no longer matches.
    const flipped = payout.address.replace(/[a-f]/, (c) => c.toUpperCase()) as Address;
    const wrongChecksum = flipped === payout.address ? payout.address.replace(/[A-F]/, (c) => c.toLowerCase()) : flipped;
    for (const [address, reason] of [
      ["0x1234", /is not an EVM address/],
      [wrongChecksum, /wrong checksum/],
      ["0x0000000000000000000000000000000000000000", /zero address/],
    ] as const) {
      const exit = await nodeProgramExit([...base, "--payout-address", address]);
      expect(exit.code).toBe(2);
      expect(exit.stderr).toMatch(/skyloom node: --payout-address: /);
      expect(exit.stderr).toMatch(reason);
    }
    expect((await provider.node.list()).map((n) => n.name)).not.toContain("bad-wallet");
  }, 60_000);

  it("is refused by the matchmaker when a node sends one anyway", async () => {
    const response = await fetch(`${host.url}/market/v1/join`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        token: joinToken,
        kind: "provider",
        name: "raw-join",
        region: "us-east",
        tier: "community1",
        inventory: { gpus: [], cpu: 1, memoryGi: 1, storageGi: 1 },
        capabilities: { modelServing: null, containers: false },
        payoutAddress: "0xnot-an-address",
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/payoutAddress/);
    expect((await provider.node.list()).map((n) => n.name)).not.toContain("raw-join");
  });
});

describe("a node without --payout-address", () => {
  it("keeps the derived address, and Settings → Nodes says so", async () => {
    const plain = await startNodeProcess(`${host.url}/market/v1`, ["--kind", "fizz", "--name", "plain-node"], { token: joinToken });
    try {
      const listed = (await provider.node.list()).find((n) => n.id === plain.nodeId);
      expect(listed?.payoutAddress).toBeNull();
    } finally {
      await plain.stop();
    }
  }, 60_000);
});
