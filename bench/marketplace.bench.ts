/**
 * The local marketplace's two speeds that people feel (issue 12's goals):
 * - order → lease and order → ready: createDeployment until LeaseCreated / ServiceReady, with
 *   two provider nodes and one fizz node answering (goal: order → lease ≤ 1 s);
 * - the failover gap: kill -9 of the serving node until the endpoint answers an OpenAI
 *   request from its new lease (goal ≤ 10 s), at the matchmaker's default heartbeat (every
 *   1 s, down after 5 s of silence), so the gap is mostly the heartbeat timeout.
 * The matchmaker runs in this process; every node is a real node process on 127.0.0.1.
 * Medians of several runs, with the load average (the machine may be shared).
 */
import { loadavg } from "node:os";
import OpenAI from "openai";
import type { DeploymentRef } from "#server/marketplace/marketplace";
import { deploymentFromFlow, endpointFlow, eventsUntil, removeDir, startMarket, startNodeProcess, type NodeProcess } from "../test/server/marketplace/support";
import { formatStats } from "./support/stats";

const ORDER_RUNS = 9;
const FAILOVER_RUNS = 5;

async function answers(ref: DeploymentRef, marketplace: Awaited<ReturnType<typeof startMarket>>["marketplace"]): Promise<void> {
  const endpoint = await marketplace.endpoint(ref, { timeoutMs: 30_000 });
  const client = new OpenAI({ baseURL: endpoint.baseUrl, apiKey: endpoint.apiKey, maxRetries: 0 });
  await client.chat.completions.create({ model: endpoint.model, messages: [{ role: "user", content: "hi" }] });
}

async function main(): Promise<void> {
  const market = await startMarket({ heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, bidWindowMs: 1000 });
  const nodes: NodeProcess[] = await Promise.all([
    startNodeProcess(market.server.url, ["--kind", "provider", "--name", "p1", "--gpu", "a10:8", "--price-percent", "80"]),
    startNodeProcess(market.server.url, ["--kind", "provider", "--name", "p2", "--region", "us-west", "--gpu", "a10:8", "--price-percent", "95"]),
    startNodeProcess(market.server.url, ["--kind", "fizz", "--name", "f1", "--gpu", "rtx4090:1"]),
  ]);
  const toLease: number[] = [];
  const toReady: number[] = [];
  const toAnswer: number[] = [];
  for (let i = 0; i < ORDER_RUNS; i++) {
    const started = performance.now();
    const dep = await market.marketplace.createDeployment(deploymentFromFlow(endpointFlow({ gpu: "a10" })));
    const ref = { teamId: "team-a", deploymentId: dep.id };
    await eventsUntil(market.marketplace, ref, (e) => e.type === "LeaseCreated");
    toLease.push(performance.now() - started);
    await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady");
    toReady.push(performance.now() - started);
    await answers(ref, market.marketplace);
    toAnswer.push(performance.now() - started);
    await market.marketplace.close(ref);
  }
  console.log(formatStats("order → lease", "ms", toLease));
  console.log(formatStats("order → ready", "ms", toReady));
  console.log(formatStats("order → first answer", "ms", toAnswer));

  const gaps: number[] = [];
  for (let i = 0; i < FAILOVER_RUNS; i++) {
    // A fresh, cheapest node each round: it wins, serves, and is killed.
    const victim = await startNodeProcess(market.server.url, ["--kind", "provider", "--name", `victim-${i}`, "--gpu", "a10:1", "--price-percent", "50"]);
    const dep = await market.marketplace.createDeployment(deploymentFromFlow(endpointFlow({ gpu: "a10" })));
    const ref = { teamId: "team-a", deploymentId: dep.id };
    const ready = await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady");
    const status = await market.marketplace.status(ref);
    if (status.lease?.nodeId !== victim.nodeId) throw new Error("the cheapest node did not win");
    await answers(ref, market.marketplace);
    const killed = performance.now();
    victim.child.kill("SIGKILL");
    await eventsUntil(market.marketplace, ref, (e) => e.type === "ServiceReady" && e.data.leaseId !== status.lease?.id, ready.at(-1)?.seq ?? 0);
    await answers(ref, market.marketplace);
    gaps.push(performance.now() - killed);
    await market.marketplace.close(ref);
  }
  console.log(formatStats("failover gap (kill -9 → answering again)", "ms", gaps, 0));
  console.log(`load average: ${loadavg().map((n) => n.toFixed(2)).join(" ")} (2 cores, shared)`);

  await Promise.all(nodes.map((n) => n.stop()));
  const dir = market.dbPath.replace(/\/market\.db$/, "");
  await market.stop();
  removeDir(dir);
}

await main();
process.exit(0);
