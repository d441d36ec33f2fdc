/**
 * Billing through the real host on the embedded devnet: a /v1 call a team cannot pay is a 402
 * insufficient_quota through the official openai SDK; after Get test SPON is credited the same
 * call answers and its usage is posted with its run (one transaction), shown in the summary,
 * the statement, the CSV export and the usage chart; spend limits hold under concurrent calls;
 * another team sees none of it.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "#server/http/cookies";
import { estimateRunCost } from "#server/billing/prices";
import { sponToWei } from "#server/billing/amounts";
import type { ServerCaller } from "#server/trpc/root";
import { sessionCaller } from "../../support/session-caller";
import { helloAgentGraph, startGatewayHost, type GatewayHost } from "../gateway/support";

let host: GatewayHost;
let alice: ServerCaller;
let aliceCookie: string;
let bob: ServerCaller;
let key: { token: string; id: string };
let slug: string;

async function person(email: string): Promise<{ trpc: ServerCaller; cookie: string }> {
  const session = sessionCaller(host.skyloom.services);
  await session.trpc.auth.signup({ email, password: "correct-horse-battery" });
  return { trpc: session.trpc, cookie: `${SESSION_COOKIE}=${encodeURIComponent(session.token()!)}` };
}

beforeAll(async () => {
  // No welcome grant here: the team starts at zero (the grant has its own test below).
  host = await startGatewayHost({ SKYLOOM_WELCOME_TEST_SPON: "0" }, { billing: true });
  const a = await person("alice@example.com");
  alice = a.trpc;
  aliceCookie = a.cookie;
  bob = (await person("bob@example.com")).trpc;
  const flow = await alice.flow.create({ name: "Paid Bot", graph: helloAgentGraph() });
  slug = (await alice.agent.publish({ flowId: flow.id })).slug;
  const created = await alice.apiKey.create({ name: "backend", kind: "secret" });
  key = { token: created.token, id: created.key.id };
}, 60_000);

afterAll(async () => {
  await host?.close();
});

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

const ask = (content = "Hello") => host.openai(key.token).chat.completions.create({ model: slug, messages: [{ role: "user", content }] });

describe("a /v1 call and the team's balance", () => {
  it("answers 402 insufficient_quota at zero balance, in OpenAI's shape, and charges nothing", async () => {
    const error = await apiError(ask());
    expect(error.status).toBe(402);
    expect(error.error).toEqual({ message: expect.stringMatching(/^You exceeded your current quota: .* your team has 0 SPON available\. Add funds on the Billing page\.$/), type: "insufficient_quota", param: null, code: "insufficient_quota" });
    const summary = await alice.billing.summary();
    expect(summary).toMatchObject({ enabled: true, available: { wei: "0", spon: "0" }, spentThisMonth: { wei: "0" }, currency: "SPON", decimals: 18, chain: { chainId: 31337, devnet: true } });
    expect((await alice.billing.statement({})).entries).toEqual([]);
  });

  it("after Get test SPON is credited, answers and posts the run's usage with the run", async () => {
    const { txHash, amount } = await alice.billing.getTestSpon({ amountSpon: "2" });
    expect(amount).toEqual({ wei: "2000000000000000000", spon: "2" });
    // Pending while its confirmations count, then credited once.
    await expect.poll(async () => (await alice.billing.deposits({})).map((d) => [d.txHash, d.status]), { timeout: 20_000, interval: 100 }).toEqual([[txHash, "credited"]]);
    const [deposit] = await alice.billing.deposits({});
    expect(deposit).toMatchObject({ amount: { spon: "2" }, required: 2, confirmations: expect.any(Number) });
    expect(deposit!.confirmations).toBeGreaterThanOrEqual(2);

    const answer = await ask();
    const runId = answer.id.replace(/^chatcmpl-/, "");
    host.skyloom.services.runStore.storeFinished();
    const { promptTokens, completionTokens } = answer.usage ? { promptTokens: answer.usage.prompt_tokens, completionTokens: answer.usage.completion_tokens } : { promptTokens: 0, completionTokens: 0 };
    expect(promptTokens + completionTokens).toBeGreaterThan(0);
    // The dev model's default price: 0.0001 SPON / 1K input tokens, 0.0002 / 1K output, rounded up to the wei.
    const cost = (BigInt(promptTokens) * sponToWei("0.0001") + BigInt(completionTokens) * sponToWei("0.0002") + 999n) / 1000n;

    const sqlite = host.skyloom.services.database.sqlite;
    expect(sqlite.prepare("SELECT status FROM runs WHERE id = ?").get(runId)).toEqual({ status: "succeeded" });
    // One usage entry for the run, keyed by its start time and id (metering.ts usageKey).
    expect(sqlite.prepare("SELECT kind, team_id FROM ledger_entries WHERE key LIKE ?").all(`usage:%:run:${runId}`)).toEqual([{ kind: "usage", team_id: expect.any(String) }]);

    const summary = await alice.billing.summary();
    expect(BigInt(summary.available.wei)).toBe(sponToWei("2") - cost);
    expect(summary.metered.wei).toBe(String(cost));
    expect(summary.spentThisMonth.wei).toBe(String(cost));

    const statement = await alice.billing.statement({ limit: 10 });
    expect(statement.entries.map((e) => [e.kind, e.amount.wei, e.balanceAfter.wei])).toEqual([
      ["usage", String(-cost), String(sponToWei("2") - cost)],
      ["deposit", String(sponToWei("2")), String(sponToWei("2"))],
    ]);
    expect(statement.entries[0]!.description).toContain(`run ${runId}`);

    const usage = await alice.billing.usage({ days: 7, groupBy: "apiKey" });
    expect(usage.groups).toEqual([{ key: key.id, label: "backend" }]);
    expect(usage.days).toHaveLength(7);
    expect(usage.days.at(-1)!.byGroup[key.id]).toEqual({ requests: 1, promptTokens, completionTokens, cost: { wei: String(cost), spon: expect.any(String) } });
    expect((await alice.billing.usage({ days: 7, groupBy: "agent" })).groups).toEqual([{ key: expect.any(String), label: slug }]);
  }, 60_000);

  it("exports the statement as CSV for the session's team only", async () => {
    const csv = await fetch(`${host.url}/api/billing/statement.csv`, { headers: { cookie: aliceCookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="skyloom-statement-.+-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toBe("date,kind,description,amount_spon,amount_wei,balance_after_spon,balance_after_wei");
    const entries = (await alice.billing.statement({})).entries.reverse();
    expect(lines.slice(1).map((l) => l.split(",").at(-1))).toEqual(entries.map((e) => e.balanceAfter.wei));
    expect(lines[1]).toMatch(/^\d{4}-.*,deposit,Deposit \(transaction 0x[0-9a-f]{8}….{4}\),2,2000000000000000000,2,2000000000000000000$/);

    expect((await fetch(`${host.url}/api/billing/statement.csv`)).status).toBe(401);
    const bobCsv = await fetch(`${host.url}/api/billing/statement.csv`, { headers: { cookie: (await person("carol@example.com")).cookie } });
    expect((await bobCsv.text()).trim().split("\n")).toHaveLength(1);
  });

  it("shows another team none of it", async () => {
    expect(await bob.billing.summary()).toMatchObject({ available: { wei: "0" }, metered: { wei: "0" }, spentThisMonth: { wei: "0" } });
    expect((await bob.billing.statement({})).entries).toEqual([]);
    expect(await bob.billing.deposits({})).toEqual([]);
    expect((await bob.billing.usage({ days: 30, groupBy: "apiKey" })).groups).toEqual([]);
    await expect(bob.billing.setKeyLimit({ apiKeyId: key.id, monthlySpon: "1" })).rejects.toThrow(/API key not found/);
    expect((await alice.billing.limits()).keys[0]).toMatchObject({ apiKeyId: key.id, monthly: null });
  });
});

describe("spend limits", () => {
  it("concurrent calls never overshoot the key's monthly limit; the 402 names the key's limit", async () => {
    const { meter } = host.skyloom.services.billing;
    const spentBefore = meter.spentThisMonth((await alice.team.list())[0]!.id, key.id);
    const graph = helloAgentGraph();
    const { estimateWei } = estimateRunCost(host.skyloom.services.billing.prices, graph, "Hello".length);
    // Room for three holds at once beyond what the key already spent.
    const limit = spentBefore + estimateWei * 3n + estimateWei / 2n;
    await alice.billing.setKeyLimit({ apiKeyId: key.id, monthlySpon: formatWei(limit) });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => ask()));
    host.skyloom.services.runStore.storeFinished();
    const refused = outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason as InstanceType<typeof OpenAI.APIError>);
    expect(outcomes.filter((o) => o.status === "fulfilled").length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error.status).toBe(402);
      expect(error.error).toMatchObject({ type: "insufficient_quota", message: expect.stringMatching(/^This API key's monthly spend limit is reached/) });
    }
    const limits = await alice.billing.limits();
    const keyLimits = limits.keys.find((k) => k.apiKeyId === key.id)!;
    expect(keyLimits.monthly!.wei).toBe(String(limit));
    expect(BigInt(keyLimits.spentThisMonth.wei)).toBeLessThanOrEqual(limit);
    expect(meter.heldFor((await alice.team.list())[0]!.id)).toBe(0n);

    // The team's limit, lower still, refuses next; removing both lets calls through again.
    await alice.billing.setTeamLimit({ monthlySpon: formatWei(BigInt(limits.team.spentThisMonth.wei)) });
    expect((await apiError(ask())).error).toMatchObject({ message: expect.stringMatching(/^Your team's monthly spend limit is reached/) });
    await alice.billing.setTeamLimit({ monthlySpon: null });
    await alice.billing.setKeyLimit({ apiKeyId: key.id, monthlySpon: null });
    await expect(ask()).resolves.toMatchObject({ object: "chat.completion" });
  }, 60_000);

  it("refuses bad amounts naming the field", async () => {
    await expect(alice.billing.setTeamLimit({ monthlySpon: "-1" })).rejects.toThrow(/monthlySpon: write an amount of SPON/);
    await expect(alice.billing.setTeamLimit({ monthlySpon: "1.0000000000000000001" })).rejects.toThrow(/monthlySpon: write an amount of SPON/);
    await expect(alice.billing.getTestSpon({ amountSpon: "1000.5" })).rejects.toThrow(/amountSpon: at most 1000 SPON/);
    await expect(alice.billing.getTestSpon({ amountSpon: "0" })).rejects.toThrow(/amountSpon: ask for more than 0 SPON/);
  });
});

/** wei → an exact SPON string (what a person would type). */
function formatWei(wei: bigint): string {
  const whole = wei / 10n ** 18n;
  const fraction = (wei % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}
