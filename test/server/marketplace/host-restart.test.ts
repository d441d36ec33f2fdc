import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createServices, type Services } from "#server/composition";
import { loadConfig } from "#server/env";
import type { EmbeddedNodeSpec } from "#server/marketplace/local/embedded-nodes";
import { SignupLimiter } from "#server/services/signup-limiter";
import { sessionCaller } from "../../support/session-caller";
import { flowFixture } from "./support";

/**
 * The host stops right after a Deploy (nodes and matchmaker with it) and starts again on the
 * same data folder: the deployment carries on to ready, once, with one lease; nothing is lost
 * or placed twice. The nodes rejoin the new host as themselves (their saved identity).
 */
const NODES: EmbeddedNodeSpec[] = [{ name: "r-provider", kind: "provider", region: "us-east", tier: "community1", gpus: ["a10:1"], cpu: 64, memoryGi: 256, pricePercent: 90 }];
const dir = mkdtempSync(join(tmpdir(), "skyloom-restart-"));
const config = loadConfig({ DATA_DIR: dir });
const login = { email: "restart@example.com", password: "correct-horse-battery" };
let services: Services | null = null;

async function startHost(): Promise<Services> {
  const started = await createServices(
    { config, secretKey: Buffer.alloc(32, 7) },
    // Unbilled (billing's own restart test is test/server/billing/lease-restart.test.ts).
    { signupLimiter: new SignupLimiter(1000), billing: false, marketplace: { nodes: NODES, matchmaker: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1500, bidWindowMs: 2000 } } },
  );
  await started.market!.listenAndStartNodes();
  return started;
}

afterAll(async () => {
  await services?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("a host restart mid-deploy: the deployment reaches ready once, with one lease, and nothing is doubled", async () => {
  services = await startHost();
  const first = sessionCaller(services).trpc;
  await first.auth.signup(login);
  const flow = await first.flow.create({ name: "Endpoint", graph: flowFixture("gpu-llm-endpoint").graph });
  const [deployment] = await first.deployment.create({ flowId: flow.id, durationHours: 1 });
  expect(deployment?.status).not.toBe("ready");
  await services.stop();

  services = await startHost();
  const again = sessionCaller(services).trpc;
  await again.auth.login(login);
  await expect.poll(async () => (await again.deployment.get({ id: deployment!.id })).status, { timeout: 30_000, interval: 100 }).toBe("ready");
  const list = await again.deployment.list({ flowId: flow.id });
  expect(list.map((d) => d.id)).toEqual([deployment!.id]);
  const sqlite = services.database.sqlite;
  expect(sqlite.prepare("select count(*) as n from market_deployments").get()).toEqual({ n: 1 });
  expect(sqlite.prepare("select count(*) as n from market_leases where state != 'closed'").get()).toEqual({ n: 1 });
  expect(sqlite.prepare("select count(*) as n from market_nodes").get()).toEqual({ n: 1 });
  expect(sqlite.prepare("select count(*) as n from flow_versions where message = 'Deployed'").get()).toEqual({ n: 1 });
  // And it serves: the endpoint answers an OpenAI client.
  const team = (await again.auth.me())?.team?.id ?? "";
  const served = await services.marketplace.endpoint({ teamId: team, deploymentId: (await services.deployments.statusOf(services.deployments.deploymentsServing(team, flow.id, "llm")[0]!)).id }, { timeoutMs: 10_000 });
  const answer = await fetch(`${served.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${served.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: served.model, messages: [{ role: "user", content: "still here?" }] }),
  });
  expect(answer.status).toBe(200);
}, 90_000);
