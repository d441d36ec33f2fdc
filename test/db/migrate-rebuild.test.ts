import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { accountId } from "#server/billing/accounts";
import { createLedger } from "#server/billing/ledger";
import { statementPage } from "#server/billing/reports";

/**
 * Migration 0012 rebuilds model_endpoints (drizzle-kit's copy, drop, rename) to drop its
 * foreign key to market_deployments. endpoint_requests references model_endpoints with ON
 * DELETE CASCADE: were foreign keys on while migrating, the DROP would delete every request row.
 */
const dir = mkdtempSync(join(tmpdir(), "skyloom-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The migrations folder as it was before `tag`: without it and every later one (the migrator skips migrations older than the last applied). */
function migrationsBefore(tag: string): string {
  const folder = join(dir, "before");
  cpSync(migrationsFolder(), folder, { recursive: true });
  const journal = JSON.parse(readFileSync(join(folder, "meta/_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const from = journal.entries.findIndex((e) => e.tag === tag);
  if (from < 0) throw new Error(`no migration ${tag}`);
  for (const later of journal.entries.slice(from)) rmSync(join(folder, `${later.tag}.sql`));
  journal.entries = journal.entries.slice(0, from);
  writeFileSync(join(folder, "meta/_journal.json"), JSON.stringify(journal));
  return folder;
}

it("a table rebuild keeps the rows of the tables that reference it, and foreign keys are on afterwards", () => {
  const file = join(dir, "skyloom.db");
  const before = openDatabase(file, migrationsBefore("0012_deployments_any_marketplace"));
  before.sqlite.prepare("insert into teams (id, name, created_at) values ('t1', 'T', 1)").run();
  before.sqlite.prepare("insert into model_endpoints (id, team_id, slug, model_id, gpu, mode, max_price_wei_per_second, state, created_at, updated_at) values ('e1', 't1', 's', 'm', 'auto', 'provider', '1', 'running', 1, 1)").run();
  before.sqlite.prepare("insert into endpoint_requests (team_id, endpoint_id, prompt_tokens, completion_tokens, latency_ms, status, at) values ('t1', 'e1', 1, 1, 1, 200, 1)").run();
  before.close();

  const after = openDatabase(file, migrationsFolder());
  try {
    expect(after.sqlite.prepare("select endpoint_id from endpoint_requests").all()).toEqual([{ endpoint_id: "e1" }]);
    expect(after.sqlite.pragma("foreign_key_list(model_endpoints)")).not.toContainEqual(expect.objectContaining({ table: "market_deployments" }));
    expect(after.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
  } finally {
    after.close();
  }
});

it("migration 0015 rebuilds the ledger's tables without AUTOINCREMENT and keeps every entry, line and deposit pointing at them", () => {
  const file = join(dir, "ledger.db");
  const team = { teamId: "t1" };
  const before = openDatabase(file, migrationsBefore("0015_ledger_lean_indexes"));
  const old = createLedger(before.sqlite);
  const deposit = old.post({ key: "chain:1:0xabc:0", kind: "deposit", teamId: "t1", lines: [{ account: accountId.available(team), amount: 10n ** 20n }, { account: accountId.chainEscrow(), amount: -(10n ** 20n) }] });
  old.post({ key: "usage:a", kind: "usage", teamId: "t1", lines: [{ account: accountId.available(team), amount: -7n }, { account: accountId.metered(team), amount: 7n }] });
  before.sqlite
    .prepare("insert into chain_deposits (chain_id, tx_hash, log_index, block_number, block_hash, deposit_ref, team_id, from_address, amount, status, entry_id, seen_at) values (1, '0xabc', 0, 1, '0xb', '0xr', 't1', '0xf', ?, 'credited', ?, 1)")
    .run(String(10n ** 20n), deposit.entryId);
  const linesBefore = before.sqlite.prepare("select * from ledger_lines order by id").all();
  before.close();

  const after = openDatabase(file, migrationsFolder());
  try {
    expect(after.sqlite.prepare("select * from ledger_lines order by id").all()).toEqual(linesBefore);
    expect(after.sqlite.prepare("select entry_id from chain_deposits").all()).toEqual([{ entry_id: deposit.entryId }]);
    const tables = after.sqlite.prepare<[], { sql: string }>("select sql from sqlite_master where name in ('ledger_entries', 'ledger_lines')").all();
    expect(tables.map((t) => t.sql).join()).not.toMatch(/AUTOINCREMENT/i);
    const ledger = createLedger(after.sqlite);
    // Posting after the rebuild: new ids follow the old ones, a key posted before is still a duplicate.
    expect(ledger.post({ key: "usage:a", kind: "usage", teamId: "t1", lines: [{ account: accountId.available(team), amount: -7n }, { account: accountId.metered(team), amount: 7n }] }).duplicate).toBe(true);
    const next = ledger.post({ key: "usage:b", kind: "usage", teamId: "t1", lines: [{ account: accountId.available(team), amount: -3n }, { account: accountId.metered(team), amount: 3n }] });
    expect(next.entryId).toBeGreaterThan(deposit.entryId + 1);
    expect(ledger.balanceOf(accountId.available(team))).toBe(10n ** 20n - 10n);
    expect(ledger.audit()).toEqual([]);
    expect(statementPage(after.sqlite, "t1", { limit: 10 }).entries.map((e) => e.amount.wei)).toEqual(["-3", "-7", String(10n ** 20n)]);
    expect(after.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
  } finally {
    after.close();
  }
});
