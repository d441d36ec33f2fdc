/**
 * The /v1 meter on its own (no chain): prices from the operator's table, holds that cover what
 * requests in flight may cost, settlements that charge what a run did cost — capped at what is
 * spare, so no balance or limit is ever overshot — over a random interleaving of many requests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "#db/client";
import { migrationsFolder } from "#db/root";
import { accountId } from "#server/billing/accounts";
import { sponToWei } from "#server/billing/amounts";
import { createLedger, type Ledger } from "#server/billing/ledger";
import { setSpendLimit } from "#server/billing/limits";
import { QuotaExceeded, runIdsOfUsageEntry, UsageMeter, usageKey, type BilledUsage, type UsageHold } from "#server/billing/metering";
import { estimateRunCost, parsePriceTable, priceTableFrom, runPrice } from "#server/billing/prices";
import { ConfigError } from "#server/env";
import { helloAgentGraph } from "#server/services/seed";

let dir: string;
let database: DatabaseHandle;
let ledger: Ledger;
let meter: UsageMeter;
const team = "team-1";
const prices = priceTableFrom("skyloom-dev=0.001/0.002");

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skyloom-meter-"));
  database = openDatabase(join(dir, "meter.db"), migrationsFolder());
  ledger = createLedger(database.sqlite);
  meter = new UsageMeter(database.sqlite, ledger, () => prices);
});
afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

const fund = (wei: bigint) =>
  ledger.post({ key: `fund:${wei}:${Math.random()}`, kind: "deposit", teamId: team, lines: [{ account: accountId.available({ teamId: team }), amount: wei }, { account: accountId.chainEscrow(), amount: -wei }] });

describe("prices", () => {
  it("reads the operator's table over the defaults and names the variable on a mistake", () => {
    expect(runPrice(prices, helloAgentGraph())).toEqual({ inputWeiPer1k: sponToWei("0.001"), outputWeiPer1k: sponToWei("0.002") });
    expect(priceTableFrom(undefined).fallback).toEqual({ inputWeiPer1k: sponToWei("0.002"), outputWeiPer1k: sponToWei("0.006") });
    expect(priceTableFrom("gpt-4o=1/2").byModel.get("skyloom-dev")).toEqual({ inputWeiPer1k: sponToWei("0.0001"), outputWeiPer1k: sponToWei("0.0002") });
    expect(() => parsePriceTable("gpt-4o=1.5")).toThrow(ConfigError);
    expect(() => parsePriceTable("gpt-4o=-1/2")).toThrow(/SKYLOOM_TOKEN_PRICES has "gpt-4o=-1\/2"/);
    // A graph with no chat model costs nothing; one with a model the table lacks costs the `*` price.
    expect(runPrice(prices, { schemaVersion: 1, nodes: [], edges: [] })).toEqual({ inputWeiPer1k: 0n, outputWeiPer1k: 0n });
  });
});

describe("holds and settlements", () => {
  const request = { teamId: team, apiKeyId: "key-1", graph: helloAgentGraph(), inputChars: 20 };
  const { estimateWei } = estimateRunCost(prices, helloAgentGraph(), 20);
  const settle = (hold: UsageHold, runId: string, promptTokens: number, completionTokens: number) =>
    database.sqlite.transaction(() => meter.postRunsUsage([{ runId, teamId: team, agentId: "agent-1", apiKeyId: "key-1", startedAt: Date.parse("2026-12-01T10:00:00Z"), day: "2026-12-01", promptTokens, completionTokens, hold }])[0]!)();

  it("refuses at zero balance, holds what a request may cost, and charges what it did", () => {
    expect(() => meter.reserve(request)).toThrow(QuotaExceeded);
    fund(estimateWei * 2n);
    const first = meter.reserve(request);
    const second = meter.reserve(request);
    expect(() => meter.reserve(request)).toThrow(/You exceeded your current quota/);
    expect(settle(first, "r1", 10, 20)).toBe((10n * sponToWei("0.001") + 20n * sponToWei("0.002") + 999n) / 1000n);
    meter.release(second);
    expect(meter.heldFor(team)).toBe(0n);
    expect(ledger.audit()).toEqual([]);
  });

  it("keys a run's usage by its start time then its id: keys sort by time, and a retried settle posts once", () => {
    const early = usageKey({ startedAt: Date.parse("2026-12-01T10:00:00Z"), runId: "run_zzzz" });
    const late = usageKey({ startedAt: Date.parse("2026-12-01T10:00:00.001Z"), runId: "run_aaaa" });
    const nextCentury = usageKey({ startedAt: Date.parse("2100-01-01T00:00:00Z"), runId: "run_aaaa" });
    expect([nextCentury, late, early].sort()).toEqual([early, late, nextCentury]);
    expect(early).toMatch(/^usage:[0-9a-z]{9}:run:run_zzzz$/);

    fund(estimateWei * 2n);
    const hold = meter.reserve(request);
    const charged = settle(hold, "r-retried", 10, 20);
    // The same run settled again: same key, no second entry.
    expect(settle(hold, "r-retried", 10, 20)).toBe(charged);
    const entries = database.sqlite.prepare("SELECT key FROM ledger_entries WHERE kind = 'usage'").all();
    expect(entries).toEqual([{ key: usageKey({ startedAt: Date.parse("2026-12-01T10:00:00Z"), runId: "r-retried" }) }]);
    expect(ledger.balanceOf(accountId.metered({ teamId: team }))).toBe(charged);
    expect(ledger.audit()).toEqual([]);
  });

  it("settles a group of runs with one entry per team that names every run, and one rollup change per agent and key", () => {
    const other = "team-2";
    fund(estimateWei * 10n);
    ledger.post({ key: "fund-other", kind: "deposit", teamId: other, lines: [{ account: accountId.available({ teamId: other }), amount: estimateWei * 10n }, { account: accountId.chainEscrow(), amount: -estimateWei * 10n }] });
    const usageOf = (teamId: string, runId: string, agentId: string, promptTokens: number): BilledUsage => ({
      runId, teamId, agentId, apiKeyId: "key-1", startedAt: Date.parse("2026-12-01T10:00:00Z"), day: "2026-12-01", promptTokens, completionTokens: 10,
      hold: meter.reserve({ ...request, teamId }),
    });
    const group = [usageOf(team, "g-1", "agent-1", 100), usageOf(other, "g-2", "agent-1", 5), usageOf(team, "g-3", "agent-2", 200), usageOf(team, "g-4", "agent-1", 300)];
    const charged = database.sqlite.transaction(() => meter.postRunsUsage(group))();
    const cost = (promptTokens: number) => (BigInt(promptTokens) * sponToWei("0.001") + 10n * sponToWei("0.002") + 999n) / 1000n;
    expect(charged).toEqual([cost(100), cost(5), cost(200), cost(300)]);
    expect(meter.heldFor(team)).toBe(0n);

    const entries = database.sqlite.prepare<[], { key: string; memo: string; team_id: string }>("SELECT key, memo, team_id FROM ledger_entries WHERE kind = 'usage' ORDER BY id").all();
    expect(entries.map((e) => [e.team_id, e.key, runIdsOfUsageEntry(e)])).toEqual([
      [team, `${usageKey(group[0]!)}+2`, ["g-1", "g-3", "g-4"]],
      [other, usageKey(group[1]!), ["g-2"]],
    ]);
    expect(entries[0]!.memo).toBe("3 runs (g-1 g-3 g-4) · agent agent-1, agent-2 · 600 in / 30 out tokens");
    expect(ledger.balanceOf(accountId.metered({ teamId: team }))).toBe(cost(100) + cost(200) + cost(300));
    expect(ledger.balanceOf(accountId.metered({ teamId: other }))).toBe(cost(5));
    const rollup = database.sqlite.prepare("SELECT team_id, agent_id, requests, prompt_tokens FROM billing_usage_daily ORDER BY team_id, agent_id").all();
    expect(rollup).toEqual([
      { team_id: team, agent_id: "agent-1", requests: 2, prompt_tokens: 400 },
      { team_id: team, agent_id: "agent-2", requests: 1, prompt_tokens: 200 },
      { team_id: other, agent_id: "agent-1", requests: 1, prompt_tokens: 5 },
    ]);
    expect(ledger.audit()).toEqual([]);
  });

  it("posts each run of a group on its own, capped, when one ran past its hold and the balance is short", () => {
    const usageOf = (runId: string, promptTokens: number): BilledUsage => ({
      runId, teamId: team, agentId: "agent-1", apiKeyId: "key-1", startedAt: Date.parse("2026-12-01T10:00:00Z"), day: "2026-12-01", promptTokens, completionTokens: 0,
      hold: meter.reserve(request),
    });
    fund(estimateWei * 2n);
    const group = [usageOf("small", 1), usageOf("huge", 1_000_000)];
    const charged = database.sqlite.transaction(() => meter.postRunsUsage(group))();
    expect(charged[0]).toBe(sponToWei("0.000001"));
    // The huge run takes what was left, and no more.
    expect(charged[1]).toBe(estimateWei * 2n - sponToWei("0.000001"));
    expect(ledger.balanceOf(accountId.available({ teamId: team }))).toBe(0n);
    const keys = database.sqlite.prepare<[], { key: string }>("SELECT key FROM ledger_entries WHERE kind = 'usage' ORDER BY id").all().map((e) => e.key);
    expect(keys).toEqual([usageKey(group[0]!), usageKey(group[1]!)]);
    expect(ledger.audit()).toEqual([]);
  });

  it("adds a day's cost exactly past whole SPON (the rollup carries the wei below one SPON)", () => {
    const dear = priceTableFrom("skyloom-dev=0.987654321987654321/0");
    const dearMeter = new UsageMeter(database.sqlite, ledger, () => dear);
    fund(sponToWei("100"));
    for (let i = 0; i < 3; i++) {
      const hold = dearMeter.reserve(request);
      database.sqlite.transaction(() => dearMeter.postRunsUsage([{ runId: `dear-${i}`, teamId: team, agentId: "agent-1", apiKeyId: "key-1", startedAt: Date.now(), day: new Date().toISOString().slice(0, 10), promptTokens: 1000, completionTokens: 0, hold }]))();
    }
    expect(dearMeter.spentThisMonth(team)).toBe(sponToWei("2.962962965962962963"));
    expect(dearMeter.spentThisMonth(team, "key-1")).toBe(sponToWei("2.962962965962962963"));
    expect(ledger.balanceOf(accountId.metered({ teamId: team }))).toBe(sponToWei("2.962962965962962963"));
  });

  it("over 2,000 random requests, settlements and refusals: never below zero, never over the limit", () => {
    fund(estimateWei * 40n);
    const limit = estimateWei * 25n;
    setSpendLimit(database.sqlite, meter, team, "", limit);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const inFlight: UsageHold[] = [];
    let refused = 0;
    for (let i = 0; i < 2_000; i++) {
      if (random() < 0.55) {
        try {
          inFlight.push(meter.reserve(request));
        } catch (error) {
          expect(error).toBeInstanceOf(QuotaExceeded);
          refused += 1;
        }
      } else if (inFlight.length > 0) {
        // Runs settle alone or a few together (a group commit); some cost more than their hold
        // (many tokens): they take only what is spare.
        const together = inFlight.splice(0, Math.min(inFlight.length, 1 + Math.floor(random() * 3))).map((hold, j): BilledUsage => {
          const big = random() < 0.1;
          return { runId: `run-${i}-${j}`, teamId: team, agentId: "agent-1", apiKeyId: "key-1", startedAt: Date.now(), day: new Date().toISOString().slice(0, 10), promptTokens: big ? 50_000 : Math.floor(random() * 30), completionTokens: big ? 50_000 : Math.floor(random() * 1_000), hold };
        });
        database.sqlite.transaction(() => meter.postRunsUsage(together))();
      }
      expect(ledger.balanceOf(accountId.available({ teamId: team }))).toBeGreaterThanOrEqual(0n);
      expect(meter.spentThisMonth(team) + meter.heldFor(team)).toBeLessThanOrEqual(limit);
    }
    expect(refused).toBeGreaterThan(0);
    expect(ledger.audit()).toEqual([]);
  });
});
