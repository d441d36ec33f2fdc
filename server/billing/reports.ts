/**
 * What the Billing page reads: the statement (every change of the team's available balance,
 * with the balance after it; also as CSV) and daily usage and spend by agent, API key or
 * endpoint (lease spend, and the requests and tokens each endpoint served). Team-scoped by construction: every query starts from the team's own accounts or rows.
 */
import type Database from "better-sqlite3";
import { accountId } from "./accounts";
import { amountFromText } from "./amounts";
import { spendOfRow, type LeaseEscrowRow } from "./lease-billing";
import { costOf, type CostColumns } from "./metering";
import { money, type Money } from "./money";

export type StatementEntry = { id: number; date: string; kind: string; description: string; amount: Money; balanceAfter: Money };

const short = (hash: string) => (hash.length > 14 ? `${hash.slice(0, 10)}…${hash.slice(-4)}` : hash);

/** What a lease paid for, in words: "endpoint llama-3-x7k2" or "deployment Support bot v3". */
const subjectOf = (row: { subject_kind: string | null; subject_label: string | null }) => (row.subject_label ? `${row.subject_kind} ${row.subject_label}` : null);

/** A statement line in words; `subject` names the endpoint or deployment a lease line is for. */
function describe(kind: string, memo: string | null, subject: string | null = null): string {
  switch (kind) {
    case "lease.reserve":
      return `Held for ${subject ?? "a deployment's lease"}`;
    case "lease.release":
      return `Hold for ${subject ?? "a deployment"} returned (its order was not placed)`;
    case "deposit":
      return `Deposit (transaction ${short(memo ?? "")})`;
    case "withdrawal":
      return `Withdrawal (transaction ${short(memo ?? "")})`;
    case "usage":
      return `API usage: ${memo ?? ""}`;
    case "order.lock":
      return "Held for a deployment's lease";
    case "order.unlock":
      return subject ? `Hold for ${subject} returned (no lease started)` : "Lease hold released (the order did not start)";
    case "lease.refund":
      return subject ? `Lease of ${subject} closed: unused escrow returned` : "Lease closed: unused escrow returned";
    default:
      return memo ? `${kind}: ${memo}` : kind;
  }
}

type LineRow = { id: number; amount: string; balance_after: string | null; kind: string; memo: string | null; at: number; subject_kind: string | null; subject_label: string | null };

// Lease entries carry their escrow order id as the memo (chain-postings.ts): it names what they paid for.
const LINES = `SELECT l.id, l.amount, l.balance_after, e.kind, e.memo, e.at, le.subject_kind, le.subject_label
  FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id LEFT JOIN lease_escrows le ON le.order_id = e.memo AND e.kind LIKE '%.%'
  WHERE l.account_id = ?`;

function entryOf(row: LineRow): StatementEntry {
  return {
    id: row.id,
    date: new Date(row.at).toISOString(),
    kind: row.kind,
    description: describe(row.kind, row.memo, subjectOf(row)),
    amount: money(amountFromText(row.amount)),
    // Lines written before balance_after existed have none: shown as 0 rather than guessed.
    balanceAfter: money(row.balance_after === null ? 0n : amountFromText(row.balance_after)),
  };
}

/** Newest first, `limit` at a time; `cursor` is the last entry id of the previous page. */
export function statementPage(sqlite: Database.Database, teamId: string, page: { cursor?: number; limit: number }) {
  const rows = sqlite
    .prepare<[string, number, number], LineRow>(`${LINES} AND l.id < ? ORDER BY l.id DESC LIMIT ?`)
    .all(accountId.available({ teamId }), page.cursor ?? Number.MAX_SAFE_INTEGER, page.limit + 1);
  const more = rows.length > page.limit;
  const entries = rows.slice(0, page.limit).map(entryOf);
  return { entries, nextCursor: more ? entries[entries.length - 1]!.id : null };
}

const CSV_HEADER = "date,kind,description,amount_spon,amount_wei,balance_after_spon,balance_after_wei\n";

/** One CSV field: quoted when needed, and never read as a formula by a spreadsheet. */
function csvField(value: string): string {
  const safe = /^[=+@\t\r]/.test(value) || (/^-/.test(value) && !/^-\d/.test(value)) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The whole statement as CSV, oldest first, in chunks (a long history is never one string). */
export function* statementCsv(sqlite: Database.Database, teamId: string): Generator<string> {
  yield CSV_HEADER;
  let chunk = "";
  for (const row of sqlite.prepare<[string], LineRow>(`${LINES} ORDER BY l.id`).iterate(accountId.available({ teamId }))) {
    const e = entryOf(row);
    chunk += [e.date, e.kind, e.description, e.amount.spon, e.amount.wei, e.balanceAfter.spon, e.balanceAfter.wei].map(csvField).join(",") + "\n";
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/**
 * Lease time by endpoint or deployment (ADR 031): what each lease settled to its provider each
 * day (the ledger's LeaseSettled postings), and what running leases have streamed since their
 * last settlement (rate × seconds, as the escrow computes it) counted today, so the chart moves
 * by the second.
 */
function leaseSpendRows(sqlite: Database.Database, teamId: string, fromMs: number, now: number): { day: string; key: string; label: string; cost: bigint }[] {
  const settled = sqlite
    .prepare<[string, number], { amount: string; at: number; subject_id: string | null; subject_label: string | null }>(
      `SELECT l.amount, e.at, le.subject_id, le.subject_label FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
       LEFT JOIN lease_escrows le ON le.order_id = e.memo
       WHERE l.account_id = ? AND e.kind = 'lease.settle' AND e.at >= ?`,
    )
    .all(accountId.held({ teamId }), fromMs);
  const out = settled.map((r) => ({ day: dayOf(r.at), key: r.subject_id ?? "leases", label: r.subject_label ?? "Deployed endpoints (lease time)", cost: -amountFromText(r.amount) }));
  const settledOf = sqlite.prepare<[string, string], { amount: string }>(
    "SELECT l.amount FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id WHERE l.account_id = ? AND e.kind = 'lease.settle' AND e.memo = ?",
  );
  const running = sqlite.prepare<[string], LeaseEscrowRow>("SELECT * FROM lease_escrows WHERE team_id = ? AND state = 'leased'").all(teamId);
  for (const row of running) {
    const settledSoFar = settledOf.all(accountId.held({ teamId }), row.order_id).reduce((sum, r) => sum - amountFromText(r.amount), 0n);
    const unsettled = spendOfRow(row, now).spentWei - settledSoFar;
    if (unsettled > 0n) out.push({ day: dayOf(now), key: row.subject_id, label: row.subject_label, cost: unsettled });
  }
  return out;
}

/**
 * Calls served by each Model Endpoint per UTC day (the gateway's `endpoint_requests`, every
 * status): requests and tokens, at no token cost (endpoints are paid by lease time). Starts from
 * the team's own endpoints, and checks each row's team too. The caller flushes the endpoints'
 * request buffer first (EndpointService.flushRequests), or the last 200 ms are missing.
 */
function endpointRequestRows(sqlite: Database.Database, teamId: string, fromMs: number) {
  return sqlite
    .prepare<[number, string, string], { day: string; key: string; label: string; requests: number; promptTokens: number; completionTokens: number }>(
      `SELECT strftime('%Y-%m-%d', r.at / 1000, 'unixepoch') AS day, e.id AS key, e.slug AS label, COUNT(*) AS requests,
         SUM(r.prompt_tokens) AS promptTokens, SUM(r.completion_tokens) AS completionTokens
       FROM model_endpoints e JOIN endpoint_requests r ON r.endpoint_id = e.id AND r.at >= ?
       WHERE e.team_id = ? AND r.team_id = ? GROUP BY day, e.id`,
    )
    .all(fromMs, teamId, teamId)
    .map((r) => ({ ...r, cost: 0n }));
}

export const USAGE_GROUPS = ["agent", "endpoint", "apiKey"] as const;
export type UsageGroupBy = (typeof USAGE_GROUPS)[number];

export type UsagePoint = { requests: number; promptTokens: number; completionTokens: number; cost: Money };
export type UsageReport = {
  from: string;
  to: string;
  groupBy: UsageGroupBy;
  groups: { key: string; label: string }[];
  days: { day: string; total: Money; byGroup: Record<string, UsagePoint> }[];
};

const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);

/** Daily usage and spend over the last `days` UTC days (today included), one series per group. */
export function usageReport(sqlite: Database.Database, teamId: string, days: number, groupBy: UsageGroupBy, now = Date.now()): UsageReport {
  const dayList = Array.from({ length: days }, (_, i) => dayOf(now - (days - 1 - i) * 86_400_000));
  const from = dayList[0]!;
  const rows: { day: string; key: string; label: string; requests: number; promptTokens: number; completionTokens: number; cost: bigint }[] = [];
  if (groupBy === "endpoint") {
    const fromMs = Date.parse(`${from}T00:00:00Z`);
    for (const r of leaseSpendRows(sqlite, teamId, fromMs, now)) rows.push({ ...r, requests: 0, promptTokens: 0, completionTokens: 0 });
    rows.push(...endpointRequestRows(sqlite, teamId, fromMs));
  } else {
    const labelSql =
      groupBy === "agent"
        ? "u.agent_id AS key, COALESCE((SELECT slug FROM published_agents a WHERE a.id = u.agent_id AND a.team_id = u.team_id), 'deleted agent') AS label"
        : "u.api_key_id AS key, COALESCE((SELECT name FROM api_keys k WHERE k.id = u.api_key_id AND k.team_id = u.team_id), 'deleted key') AS label";
    const usage = sqlite
      .prepare<[string, string], { day: string; key: string; label: string; requests: bigint; prompt_tokens: bigint; completion_tokens: bigint } & CostColumns>(
        `SELECT u.day, ${labelSql}, u.requests, u.prompt_tokens, u.completion_tokens, u.cost_spon, u.cost_wei_fraction FROM billing_usage_daily u WHERE u.team_id = ? AND u.day >= ?`,
      )
      // A fraction of up to 10^18 wei is past a double's exact integers.
      .safeIntegers(true)
      .all(teamId, from);
    for (const r of usage) {
      rows.push({ day: r.day, key: r.key, label: r.label, requests: Number(r.requests), promptTokens: Number(r.prompt_tokens), completionTokens: Number(r.completion_tokens), cost: costOf(r) });
    }
  }
  const groups = new Map<string, string>();
  const byDay = new Map<string, Map<string, { requests: number; promptTokens: number; completionTokens: number; cost: bigint }>>();
  for (const r of rows) {
    groups.set(r.key, r.label);
    const day = byDay.get(r.day) ?? new Map();
    byDay.set(r.day, day);
    const point = day.get(r.key) ?? { requests: 0, promptTokens: 0, completionTokens: 0, cost: 0n };
    day.set(r.key, { requests: point.requests + r.requests, promptTokens: point.promptTokens + r.promptTokens, completionTokens: point.completionTokens + r.completionTokens, cost: point.cost + r.cost });
  }
  return {
    from,
    to: dayList[dayList.length - 1]!,
    groupBy,
    groups: [...groups].map(([key, label]) => ({ key, label })),
    days: dayList.map((day) => {
      const points = byDay.get(day) ?? new Map();
      let total = 0n;
      const byGroup: Record<string, UsagePoint> = {};
      for (const [key, p] of points) {
        total += p.cost;
        byGroup[key] = { requests: p.requests, promptTokens: p.promptTokens, completionTokens: p.completionTokens, cost: money(p.cost) };
      }
      return { day, total: money(total), byGroup };
    }),
  };
}
