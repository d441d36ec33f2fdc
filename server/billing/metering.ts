/**
 * Metering /v1 usage against a team's balance and spend limits (ADR 030).
 *
 * Before a request runs, `reserve` holds what it may cost at most (estimateRunCost); the
 * request is refused (QuotaExceeded → 402 insufficient_quota) when the team's spendable
 * balance, its monthly limit or its API key's monthly limit, less what requests in flight
 * already hold, cannot cover it. Holds live in memory: one Skyloom process serves /v1, and a
 * check and its hold run in one synchronous step, so concurrent requests can never hold the
 * same money twice.
 *
 * The run store calls `postRunsUsage` in the transaction that settles the runs (run-store.ts,
 * the runs of one group commit together): it releases their holds and charges what they did
 * cost, available → metered in the ledger, one entry per team, capped at what the team can
 * still spend (a run that used more than its hold takes only spare money; what it cannot pay is
 * logged, never owed), and adds it to the daily usage rollup. Nothing is ever negative: the
 * ledger refuses a posting that would be.
 */
import type Database from "better-sqlite3";
import type { GraphDoc } from "#agents/graph/index";
import { accountId } from "./accounts";
import { amountFromText, WEI_PER_SPON, weiToSpon } from "./amounts";
import { InsufficientFunds, type Ledger } from "./ledger";
import { estimateRunCost, type PriceTable } from "./prices";
import { tokenCostWei, type TokenPrice } from "./pricing";

/** Money held for one request in flight. */
export type UsageHold = {
  readonly id: number;
  readonly teamId: string;
  readonly apiKeyId: string;
  readonly price: TokenPrice;
  readonly amountWei: bigint;
  readonly createdAt: number;
  released: boolean;
};

/** What a settled gateway run reports for billing (run-settlement.ts builds it). */
export type BilledUsage = {
  runId: string;
  teamId: string;
  agentId: string;
  apiKeyId: string;
  /** When the run started (ms since the epoch): orders its ledger key, see usageKey. */
  startedAt: number;
  /** UTC day the request came in. */
  day: string;
  promptTokens: number;
  completionTokens: number;
  hold: UsageHold;
};

export type QuotaReason = "balance" | "team-limit" | "key-limit";

/** The request cannot be paid for: the gateway answers 402 insufficient_quota with this message. */
export class QuotaExceeded extends Error {
  constructor(
    readonly reason: QuotaReason,
    message: string,
  ) {
    super(message);
    this.name = "QuotaExceeded";
  }
}

/**
 * The ledger key of a run's usage: the run's start time (base 36, fixed width so keys sort by
 * time) then its id. Run ids are random, so keyed by id alone every posting landed on its own
 * page of the key index and a group commit wrote one more page per request; keys that follow
 * the clock land on the index's last pages. Still one key per run: a retried settle posts once.
 */
export const usageKey = (usage: Pick<BilledUsage, "startedAt" | "runId">): string => `usage:${usage.startedAt.toString(36).padStart(9, "0")}:run:${usage.runId}`;

/** The runs a usage entry charges: one named by its key, or a group's, listed in its memo (see tryPostUsage). */
export function runIdsOfUsageEntry(entry: { key: string; memo: string | null }): string[] {
  const runPart = entry.key.slice(entry.key.indexOf(":run:") + ":run:".length);
  if (!/\+\d+$/.test(runPart)) return [runPart];
  return /^\d+ runs \(([^)]*)\)/.exec(entry.memo ?? "")?.[1]?.split(" ") ?? [];
}

/** A hold not settled after this long belongs to a run that was lost: it is let go. */
export const HOLD_EXPIRES_MS = 30 * 60_000;

/** First day (YYYY-MM-DD, UTC) of the month of `at`. */
export const monthStart = (at: number): string => `${new Date(at).toISOString().slice(0, 7)}-01`;

type Limits = { team: bigint | null; keys: Map<string, bigint> };

/** A usage rollup row's cost columns (db/schema/billing.ts): whole SPON and the wei below one. */
export type CostColumns = { cost_spon: number | bigint; cost_wei_fraction: number | bigint };
export const costOf = (row: CostColumns): bigint => BigInt(row.cost_spon) * WEI_PER_SPON + BigInt(row.cost_wei_fraction);

export class UsageMeter {
  private readonly holds = new Map<number, UsageHold>();
  private readonly heldByTeam = new Map<string, bigint>();
  private readonly heldByKey = new Map<string, bigint>();
  private readonly limits = new Map<string, Limits>();
  private nextId = 1;
  private readonly q;

  constructor(
    sqlite: Database.Database,
    private readonly ledger: Ledger,
    private readonly prices: () => PriceTable,
    private readonly now: () => number = Date.now,
  ) {
    this.q = {
      limits: sqlite.prepare<[string], { api_key_id: string; monthly_wei: string }>("SELECT api_key_id, monthly_wei FROM billing_limits WHERE team_id = ?"),
      // safeIntegers: a fraction of up to 10^18 wei is past a double's exact integers.
      teamSpent: sqlite.prepare<[string, string], CostColumns>("SELECT cost_spon, cost_wei_fraction FROM billing_usage_daily WHERE team_id = ? AND day >= ?").safeIntegers(true),
      keySpent: sqlite
        .prepare<[string, string, string], CostColumns>("SELECT cost_spon, cost_wei_fraction FROM billing_usage_daily WHERE api_key_id = ? AND day >= ? AND team_id = ?")
        .safeIntegers(true),
      // Every SET expression reads the row as it was, so the carry uses the old fraction.
      // Positional parameters: binding by name costs a third of this upsert (run on every request).
      addRollup: sqlite.prepare<[teamId: string, day: string, agentId: string, apiKeyId: string, requests: number, promptTokens: number, completionTokens: number, costSpon: bigint, costWeiFraction: bigint]>(
        `INSERT INTO billing_usage_daily (team_id, day, agent_id, api_key_id, requests, prompt_tokens, completion_tokens, cost_spon, cost_wei_fraction)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (team_id, day, agent_id, api_key_id) DO UPDATE SET requests = requests + excluded.requests,
           prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens,
           cost_spon = cost_spon + excluded.cost_spon + (cost_wei_fraction + excluded.cost_wei_fraction) / ${WEI_PER_SPON},
           cost_wei_fraction = (cost_wei_fraction + excluded.cost_wei_fraction) % ${WEI_PER_SPON}`,
      ),
    };
  }

  /** Holds the most a run of `graph` may cost for `input`, or throws QuotaExceeded. */
  reserve(request: { teamId: string; apiKeyId: string; graph: GraphDoc; inputChars: number }): UsageHold {
    this.expireOldHolds();
    const { price, estimateWei } = estimateRunCost(this.prices(), request.graph, request.inputChars);
    const { teamId, apiKeyId } = request;
    const spare = this.spare(teamId, apiKeyId);
    if (estimateWei > spare.amount) throw this.refusal(spare.reason, estimateWei, spare.amount);
    const hold: UsageHold = { id: this.nextId++, teamId, apiKeyId, price, amountWei: estimateWei, createdAt: this.now(), released: false };
    if (estimateWei > 0n) {
      this.holds.set(hold.id, hold);
      add(this.heldByTeam, teamId, estimateWei);
      add(this.heldByKey, apiKeyId, estimateWei);
    }
    return hold;
  }

  /** Lets a hold go (the request never got a run, or its run settled). Idempotent. */
  release(hold: UsageHold): void {
    if (hold.released) return;
    hold.released = true;
    if (!this.holds.delete(hold.id)) return;
    add(this.heldByTeam, hold.teamId, -hold.amountWei);
    add(this.heldByKey, hold.apiKeyId, -hold.amountWei);
  }

  /**
   * Inside the transaction of runs settled together (the run store's group commit): releases
   * their holds and posts what they cost, one ledger entry per team for the runs that stayed
   * within their holds (ADR 033: the entry's lines, balances and key are the gateway's costliest
   * writes, and a group shares them), and one rollup row change per team, day, agent and key.
   * A team whose runs cannot all be paid that way has each run posted on its own, capped.
   * Returns the wei charged for each run, in order.
   */
  postRunsUsage(usages: readonly BilledUsage[]): bigint[] {
    for (const usage of usages) this.release(usage.hold);
    const costs = usages.map((u) => tokenCostWei(u.hold.price, u.promptTokens, u.completionTokens));
    const charged = [...costs];
    const batched: number[] = [];
    for (const runs of groupIndexes(usages, (u) => u.teamId)) {
      // Within its hold a run is paid for: the holds in flight and the month's charges never pass
      // the limits together, and the ledger refuses the posting if a chain event (a lease's lock,
      // a withdrawal) took the money meanwhile. Only then, or past a hold, is the spare money read.
      const withinHolds = runs.every((i) => costs[i]! <= usages[i]!.hold.amountWei);
      if (withinHolds && this.tryPostUsage(runs.map((i) => usages[i]!), runs.reduce((sum, i) => sum + costs[i]!, 0n))) {
        batched.push(...runs);
        continue;
      }
      for (const i of runs) {
        charged[i] = this.postCapped(usages[i]!, costs[i]!);
        // Rolled up at once: the next run's spare money counts this one's charge against the limits.
        this.rollUp(usages, charged, [i]);
      }
    }
    for (const runs of groupIndexes(batched.map((i) => usages[i]!), rollupKey)) this.rollUp(usages, charged, runs.map((j) => batched[j]!));
    return charged;
  }

  /** Adds runs of one team, day, agent and key to their daily rollup row. */
  private rollUp(usages: readonly BilledUsage[], charged: readonly bigint[], runs: readonly number[]): void {
    const first = usages[runs[0]!]!;
    const { promptTokens, completionTokens } = tokensOf(runs.map((i) => usages[i]!));
    const cost = runs.reduce((sum, i) => sum + charged[i]!, 0n);
    this.q.addRollup.run(first.teamId, first.day, first.agentId, first.apiKeyId, runs.length, promptTokens, completionTokens, cost / WEI_PER_SPON, cost % WEI_PER_SPON);
  }

  /** One run's usage on its own entry, capped at what the team can still spend: what it cannot pay is logged, never owed. */
  private postCapped(usage: BilledUsage, cost: bigint): bigint {
    if (cost <= usage.hold.amountWei && this.tryPostUsage([usage], cost)) return cost;
    const spare = this.spare(usage.teamId, usage.apiKeyId).amount;
    const charged = cost < spare ? cost : spare > 0n ? spare : 0n;
    if (charged < cost) {
      console.warn(`Run ${usage.runId} cost ${weiToSpon(cost)} SPON; the team could pay ${weiToSpon(charged)} SPON of it (balance or spend limit reached).`);
    }
    if (!this.tryPostUsage([usage], charged)) throw new Error(`Run ${usage.runId}: the usage posting was refused within the spare balance.`);
    return charged;
  }

  /**
   * Posts runs' usage of one team (available → metered) as one entry; false when the balance
   * cannot cover it (nothing written). One run keeps its own key (usageKey); a group is keyed by
   * its first run and how many follow, and its memo names every run, so each run's charge can
   * be traced to its entry.
   */
  private tryPostUsage(runs: readonly BilledUsage[], amount: bigint): boolean {
    if (amount === 0n) return true;
    const first = runs[0]!;
    const team = { teamId: first.teamId };
    const { promptTokens, completionTokens } = tokensOf(runs);
    const agents = [...new Set(runs.map((r) => r.agentId))].join(", ");
    const memo =
      runs.length === 1
        ? `run ${first.runId} · agent ${first.agentId} · ${promptTokens} in / ${completionTokens} out tokens`
        : `${runs.length} runs (${runs.map((r) => r.runId).join(" ")}) · agent ${agents} · ${promptTokens} in / ${completionTokens} out tokens`;
    try {
      this.ledger.post({
        key: runs.length === 1 ? usageKey(first) : `${usageKey(first)}+${runs.length - 1}`,
        kind: "usage",
        teamId: first.teamId,
        memo,
        lines: [
          { account: accountId.available(team), amount: -amount },
          { account: accountId.metered(team), amount },
        ],
      });
      return true;
    } catch (error) {
      if (error instanceof InsufficientFunds) return false;
      throw error;
    }
  }

  /** /v1 usage charged to a team (or one of its keys) since the start of this UTC month. */
  spentThisMonth(teamId: string, apiKeyId?: string): bigint {
    const from = monthStart(this.now());
    const rows = apiKeyId === undefined ? this.q.teamSpent.all(teamId, from) : this.q.keySpent.all(apiKeyId, from, teamId);
    return rows.reduce((sum, r) => sum + costOf(r), 0n);
  }

  /** What requests in flight hold for a team. */
  heldFor(teamId: string): bigint {
    return this.heldByTeam.get(teamId) ?? 0n;
  }

  limitsOf(teamId: string): Limits {
    let limits = this.limits.get(teamId);
    if (!limits) {
      limits = { team: null, keys: new Map() };
      for (const row of this.q.limits.all(teamId)) {
        if (row.api_key_id === "") limits.team = amountFromText(row.monthly_wei);
        else limits.keys.set(row.api_key_id, amountFromText(row.monthly_wei));
      }
      if (this.limits.size > 10_000) this.limits.clear();
      this.limits.set(teamId, limits);
    }
    return limits;
  }

  /** A limit changed: read the team's limits again on its next request. */
  forgetLimits(teamId: string): void {
    this.limits.delete(teamId);
  }

  /** The most a new request of this team and key may hold now, and what bounds it. */
  private spare(teamId: string, apiKeyId: string): { amount: bigint; reason: QuotaReason } {
    const heldTeam = this.heldByTeam.get(teamId) ?? 0n;
    let best = { amount: this.ledger.balanceOf(accountId.available({ teamId })) - heldTeam, reason: "balance" as QuotaReason };
    const limits = this.limitsOf(teamId);
    if (limits.team !== null) {
      const left = limits.team - this.spentThisMonth(teamId) - heldTeam;
      if (left < best.amount) best = { amount: left, reason: "team-limit" };
    }
    const keyLimit = limits.keys.get(apiKeyId);
    if (keyLimit !== undefined) {
      const left = keyLimit - this.spentThisMonth(teamId, apiKeyId) - (this.heldByKey.get(apiKeyId) ?? 0n);
      if (left < best.amount) best = { amount: left, reason: "key-limit" };
    }
    return best;
  }

  private refusal(reason: QuotaReason, needed: bigint, spare: bigint): QuotaExceeded {
    const need = `${weiToSpon(needed)} SPON`;
    const has = `${weiToSpon(spare > 0n ? spare : 0n)} SPON`;
    if (reason === "team-limit") return new QuotaExceeded(reason, `Your team's monthly spend limit is reached: this request may cost up to ${need} and ${has} of the limit is left. An admin can raise it on the Billing page.`);
    if (reason === "key-limit") return new QuotaExceeded(reason, `This API key's monthly spend limit is reached: this request may cost up to ${need} and ${has} of the key's limit is left. An admin can raise it on the Billing page.`);
    return new QuotaExceeded(reason, `You exceeded your current quota: this request may cost up to ${need} and your team has ${has} available. Add funds on the Billing page.`);
  }

  private expireOldHolds(): void {
    const cutoff = this.now() - HOLD_EXPIRES_MS;
    for (const hold of this.holds.values()) {
      if (hold.createdAt >= cutoff) break;
      this.release(hold);
    }
  }
}

const tokensOf = (runs: readonly BilledUsage[]) =>
  runs.reduce((sum, r) => ({ promptTokens: sum.promptTokens + r.promptTokens, completionTokens: sum.completionTokens + r.completionTokens }), { promptTokens: 0, completionTokens: 0 });

const rollupKey = (u: BilledUsage) => `${u.teamId}\u0000${u.day}\u0000${u.agentId}\u0000${u.apiKeyId}`;

/** The indexes of `items` grouped by `keyOf`, groups in order of first appearance. */
function groupIndexes<T>(items: readonly T[], keyOf: (item: T) => string): number[][] {
  if (items.length === 1) return [[0]];
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}

function add(map: Map<string, bigint>, key: string, amount: bigint): void {
  const next = (map.get(key) ?? 0n) + amount;
  if (next === 0n) map.delete(key);
  else map.set(key, next);
}
