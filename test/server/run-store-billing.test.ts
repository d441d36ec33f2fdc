/**
 * The run store hands billing the usage of the runs a transaction settles, once, inside that
 * transaction (ADR 033): a group commit's runs together, a run settled on its own alone, and a
 * run whose savepoint is rolled back without its usage.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "#db/client";
import type { HotStatements } from "#db/hot-statements";
import { migrationsFolder } from "#db/root";
import type { BilledUsage } from "#server/billing/metering";
import type { SettlementWriters } from "#server/services/run-settlement";
import { RunStore, type StoredRun } from "#server/services/run-store";
import { expectConsoleError } from "../support/console-errors";

let dir: string;
let database: DatabaseHandle;
let billed: { runIds: string[]; inTransaction: boolean }[];
let store: RunStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skyloom-run-store-"));
  database = openDatabase(join(dir, "runs.db"), migrationsFolder());
  database.sqlite.exec("CREATE TABLE stored_runs (id TEXT PRIMARY KEY)");
  billed = [];
  const billUsage = (usages: readonly BilledUsage[]) => {
    billed.push({ runIds: usages.map((u) => u.runId), inTransaction: database.sqlite.inTransaction });
    // What billing writes lands in the same transaction as the runs.
    for (const u of usages) database.sqlite.prepare("INSERT INTO stored_runs (id) VALUES (?)").run(`usage:${u.runId}`);
  };
  store = new RunStore(database.sqlite, {} as HotStatements, { firstDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 2 }, billUsage);
});
afterEach(() => {
  store.stop();
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A finished gateway run: writes its row and bills its usage, or fails after billing when `fails`. */
function fakeRun(runId: string, fails = false): StoredRun {
  return {
    runId,
    writeTo(writers: SettlementWriters) {
      database.sqlite.prepare("INSERT INTO stored_runs (id) VALUES (?)").run(runId);
      writers.billUsage?.({ runId } as BilledUsage);
      if (fails) throw new Error(`run ${runId} cannot be stored (simulated)`);
    },
    checkpoint: () => () => {},
    detach: () => false,
  };
}

const stored = () => database.sqlite.prepare<[], { id: string }>("SELECT id FROM stored_runs ORDER BY id").all().map((r) => r.id);

describe("billing in the run store's transactions", () => {
  it("bills a group commit's runs once, together, inside its transaction; a rolled-back run is not billed", () => {
    expectConsoleError(/^Could not store run b \(attempt 1\)/);
    expectConsoleError(/^Run b is lost/);
    store.settle(fakeRun("a"), "with-this-turn");
    store.settle(fakeRun("b", true), "with-this-turn");
    store.settle(fakeRun("c"), "with-this-turn");
    store.storeFinished();
    expect(billed).toEqual([{ runIds: ["a", "c"], inTransaction: true }]);
    expect(stored()).toEqual(["a", "c", "usage:a", "usage:c"]);
    store.stop();
  });

  it("bills a run settled on its own in its own transaction", () => {
    store.settle(fakeRun("now"), "now");
    expect(billed).toEqual([{ runIds: ["now"], inTransaction: true }]);
    expect(stored()).toEqual(["now", "usage:now"]);
  });

  it("when billing fails, the whole group is rolled back: no run without its usage", () => {
    expectConsoleError(/^Could not store run x \(attempt 1\)/);
    expectConsoleError(/^Could not store run y \(attempt 1\)/);
    expectConsoleError(/^Run y is lost/);
    database.sqlite.exec("CREATE TRIGGER usage_fails BEFORE INSERT ON stored_runs WHEN NEW.id = 'usage:y' BEGIN SELECT raise(abort, 'disk full (simulated)'); END");
    store.settle(fakeRun("x"), "with-this-turn");
    store.settle(fakeRun("y"), "with-this-turn");
    store.storeFinished();
    expect(stored()).toEqual([]);
    expect(store.health()).toMatchObject({ waiting: 2, lastError: { message: "disk full (simulated)" } });
    // At the stop each run is tried once more on its own: x and its usage are stored, y is not.
    store.stop();
    expect(stored()).toEqual(["usage:x", "x"]);
  });
});
