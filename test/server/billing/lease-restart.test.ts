import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { parseEther, type Hash } from "viem";
import { createServices, type Services } from "#server/composition";
import { loadConfig } from "#server/env";
import type { EmbeddedNodeSpec } from "#server/marketplace/local/embedded-nodes";
import { SignupLimiter } from "#server/services/signup-limiter";
import type { ServerCaller } from "#server/trpc/root";
import { sessionCaller } from "../../support/session-caller";

/**
 * A billed endpoint across host restarts (ADR 031), on the host's own devnet (its state kept in
 * the data folder) and an embedded node process: a restart mid-lease keeps the one escrow order
 * (nothing reserved or posted twice), and a restart mid-stop (the chain's close sent, the host
 * gone before it wrote it down) finishes the stop once. The ledger equals the chain after each.
 */
const NODES: EmbeddedNodeSpec[] = [{ name: "b-provider", kind: "provider", region: "us-east", tier: "community1", gpus: ["a10:2"], cpu: 64, memoryGi: 256, pricePercent: 60 }];
const dir = mkdtempSync(join(tmpdir(), "skyloom-lease-restart-"));
const config = loadConfig({ DATA_DIR: dir, SKYLOOM_WELCOME_TEST_SPON: "0" });
const login = { email: "restart@example.com", password: "correct-horse-battery" };
let services: Services | null = null;

async function startHost(): Promise<{ services: Services; caller: ServerCaller }> {
  const started = await createServices(
    { config, secretKey: Buffer.alloc(32, 7) },
    { signupLimiter: new SignupLimiter(1000), billing: true, marketplace: { nodes: NODES, matchmaker: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 5000, bidWindowMs: 1_500 } } },
  );
  services = started;
  await started.market!.listenAndStartNodes();
  return { services: started, caller: sessionCaller(started).trpc };
}

afterAll(async () => {
  await services?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const wei = (m: { wei: string }) => BigInt(m.wei);
const balancesOf = async (caller: ServerCaller) => {
  const s = await caller.billing.summary();
  return { available: wei(s.available), held: wei(s.held) };
};
/** Every ledger entry about one escrow order: its key (ours) or its memo (the watcher's). */
const entriesOf = (s: Services, orderId: string) =>
  s.database.sqlite.prepare<[string, string], { key: string; kind: string }>("SELECT key, kind FROM ledger_entries WHERE memo = ? OR key LIKE ? ORDER BY id").all(orderId, `lease:%:${orderId}`);

it("a restart mid-lease and a restart mid-stop: one order, each posting once, ledger = chain", async () => {
  let { services: s, caller } = await startHost();
  await caller.auth.signup(login);
  await caller.billing.getTestSpon({ amountSpon: "5" });
  await expect.poll(async () => (await balancesOf(caller)).available, { timeout: 20_000, interval: 100 }).toBe(parseEther("5"));
  const endpoint = await caller.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null, gpu: "a10", mode: "provider" });
  await expect.poll(async () => (await caller.endpoint.get({ id: endpoint.id })).escrow?.state, { timeout: 30_000, interval: 100 }).toBe("leased");
  const orderId = s.billing.leases.ordersOf(endpoint.deploymentId!)[0]!.order_id;
  const escrow = wei((await caller.endpoint.get({ id: endpoint.id })).escrow!.held) + wei((await caller.endpoint.get({ id: endpoint.id })).escrow!.spent);

  // Restart mid-lease.
  await s.stop();
  ({ services: s, caller } = await startHost());
  await caller.auth.login(login);
  await expect.poll(async () => (await caller.endpoint.get({ id: endpoint.id })).status, { timeout: 30_000, interval: 100 }).toBe("ready");
  await s.leaseBilling.sync();
  expect(s.billing.leases.ordersOf(endpoint.deploymentId!).map((r) => [r.order_id, r.state])).toEqual([[orderId, "leased"]]);
  expect(await balancesOf(caller)).toEqual({ available: parseEther("5") - escrow, held: escrow });
  expect(entriesOf(s, orderId).map((e) => e.kind)).toEqual(["lease.reserve"]);

  // Restart mid-stop: the marketplace closed and the chain's close sent, then the host goes before writing it down.
  await s.leaseBilling.close();
  const team = (await caller.auth.me())!.team!.id;
  await s.marketplace.close({ teamId: team, deploymentId: endpoint.deploymentId! });
  await s.billing.requireChain("test").chain.escrowTx.close(orderId as Hash);
  await s.stop();
  ({ services: s, caller } = await startHost());
  await caller.auth.login(login);
  await expect.poll(() => s.billing.leases.row(orderId as Hash)?.state, { timeout: 20_000, interval: 100 }).toBe("closed");
  await caller.endpoint.stop({ id: endpoint.id });
  await caller.endpoint.stop({ id: endpoint.id });
  const paid = wei((await caller.endpoint.get({ id: endpoint.id })).escrow!.spent);
  expect(paid).toBeGreaterThan(0n);
  await expect.poll(() => balancesOf(caller), { timeout: 20_000, interval: 100 }).toEqual({ available: parseEther("5") - paid, held: 0n });
  expect(entriesOf(s, orderId).map((e) => e.kind)).toEqual(["lease.reserve", "lease.settle", "lease.refund"]);
  expect((await s.billing.chain!.reconcile()).differences).toEqual([]);
}, 150_000);
