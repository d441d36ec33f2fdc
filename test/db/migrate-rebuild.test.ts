import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";

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
