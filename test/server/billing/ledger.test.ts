import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "#db/client";
import { migrationsFolder } from "#db/root";
import { teams } from "#db/schema";
import { accountId } from "#server/billing/accounts";
import { createLedger, IdempotencyConflict, InsufficientFunds, InvalidPosting, type Ledger, type Posting } from "#server/billing/ledger";

let dir: string;
let database: DatabaseHandle;
let ledger: Ledger;
const alice = { teamId: "alice" };
const bob = { teamId: "bob" };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skyloom-ledger-"));
  database = openDatabase(join(dir, "ledger.db"), migrationsFolder());
  ledger = createLedger(database.sqlite);
});
afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

const deposit = (key: string, holder: { teamId: string }, amount: bigint): Posting => ({
  key,
  kind: "deposit",
  teamId: holder.teamId,
  lines: [
    { account: accountId.available(holder), amount },
    { account: accountId.chainEscrow(), amount: -amount },
  ],
});
const spend = (key: string, holder: { teamId: string }, amount: bigint): Posting => ({
  key,
  kind: "usage",
  teamId: holder.teamId,
  lines: [
    { account: accountId.available(holder), amount: -amount },
    { account: accountId.metered(holder), amount },
  ],
});
const entryCount = () => (database.sqlite.prepare("SELECT count(*) AS n FROM ledger_entries").get() as { n: number }).n;

describe("ledger postings", () => {
  it("moves money between accounts and keeps 18-decimal amounts beyond 64 bits exactly", () => {
    const big = 123_456_789_012_345_678_901_234_567_890n; // 1.2e11 SPON: far past SQLite's INTEGER
    ledger.post(deposit("d1", alice, big));
    ledger.post(spend("s1", alice, 1n));
    expect(ledger.balanceOf(accountId.available(alice))).toBe(big - 1n);
    expect(ledger.balanceOf(accountId.metered(alice))).toBe(1n);
    expect(ledger.balanceOf(accountId.chainEscrow())).toBe(-big);
    expect(ledger.audit()).toEqual([]);
  });

  it("refuses unbalanced, one-line, zero-line and unknown-account postings, writing nothing", () => {
    const bad: Posting[] = [
      { key: "u", kind: "x", lines: [{ account: accountId.available(alice), amount: 5n }, { account: accountId.chainEscrow(), amount: -4n }] },
      { key: "one", kind: "x", lines: [{ account: accountId.available(alice), amount: 5n }] },
      { key: "zero", kind: "x", lines: [{ account: accountId.available(alice), amount: 0n }, { account: accountId.chainEscrow(), amount: 0n }] },
      { key: "acct", kind: "x", lines: [{ account: "team:alice:savings", amount: 1n }, { account: accountId.chainEscrow(), amount: -1n }] },
      { key: "", kind: "x", lines: [{ account: accountId.available(alice), amount: 1n }, { account: accountId.chainEscrow(), amount: -1n }] },
    ];
    for (const p of bad) expect(() => ledger.post(p)).toThrow(p.key === "acct" ? /Not a ledger account id/ : InvalidPosting);
    expect(entryCount()).toBe(0);
  });

  it("is idempotent by key: the same posting again returns the first entry; different lines under the key are a conflict", () => {
    const first = ledger.post(deposit("chain:1:0xabc:0", alice, 100n));
    const again = ledger.post(deposit("chain:1:0xabc:0", alice, 100n));
    expect(again).toEqual({ entryId: first.entryId, duplicate: true });
    expect(ledger.balanceOf(accountId.available(alice))).toBe(100n);
    expect(() => ledger.post(deposit("chain:1:0xabc:0", alice, 101n))).toThrow(IdempotencyConflict);
    expect(entryCount()).toBe(1);
  });

  it("answers a key posted before with its entry even when the balance could no longer pay it, inside a caller's transaction too", () => {
    ledger.post(deposit("d", alice, 10n));
    const spent = ledger.post(spend("s", alice, 10n));
    expect(ledger.post(spend("s", alice, 10n))).toEqual({ entryId: spent.entryId, duplicate: true });
    expect(database.sqlite.transaction(() => ledger.post(spend("s", alice, 10n)))()).toEqual({ entryId: spent.entryId, duplicate: true });
    // Different lines under the key: a conflict, not a shortfall.
    expect(() => ledger.post(spend("s", alice, 11n))).toThrow(IdempotencyConflict);
    expect(entryCount()).toBe(2);
    expect(ledger.balanceOf(accountId.available(alice))).toBe(0n);
    expect(ledger.audit()).toEqual([]);
  });

  it("refuses a posting that would make a balance negative, atomically, with the balance and the shortfall", () => {
    ledger.post(deposit("d", alice, 10n));
    const refusal = (() => {
      try {
        ledger.post({
          key: "two-teams",
          kind: "usage",
          lines: [
            { account: accountId.available(alice), amount: -5n }, // fine alone
            { account: accountId.available(bob), amount: -5n }, // bob has nothing
            { account: accountId.metered(alice), amount: 10n },
          ],
        });
      } catch (e) {
        return e;
      }
    })();
    expect(refusal).toBeInstanceOf(InsufficientFunds);
    expect(refusal).toMatchObject({ accountId: accountId.available(bob), balance: 0n, needed: 5n });
    expect(ledger.balanceOf(accountId.available(alice))).toBe(10n);
    expect(entryCount()).toBe(1);
    // Inside a caller's transaction too (no savepoint there): the refusal leaves nothing, the rest commits.
    ledger.atomically(() => {
      expect(() => ledger.post(spend("too-much", bob, 1n))).toThrow(InsufficientFunds);
      ledger.post(spend("fine", alice, 4n));
    });
    expect(entryCount()).toBe(2);
    expect(ledger.accounts().map((a) => a.id)).not.toContain(accountId.metered(bob));
    expect(ledger.balanceOf(accountId.available(alice))).toBe(6n);
    expect(ledger.audit()).toEqual([]);
  });

  it("posts inside a caller's transaction: rolled back with it, committed with it", () => {
    database.db.insert(teams).values({ id: "alice", name: "Alice", createdAt: new Date() }).run();
    ledger.post(deposit("d", alice, 50n));
    expect(() =>
      database.db.transaction((tx) => {
        tx.insert(teams).values({ id: "t2", name: "T2", createdAt: new Date() }).run();
        ledger.post(spend("usage:run-1", alice, 20n));
        throw new Error("the run's write failed");
      }),
    ).toThrow("the run's write failed");
    expect(ledger.balanceOf(accountId.available(alice))).toBe(50n);
    database.db.transaction(() => {
      ledger.post(spend("usage:run-2", alice, 20n));
    });
    expect(ledger.balanceOf(accountId.available(alice))).toBe(30n);
  });

  it("chains balance_after through postings to one account in one transaction (a group commit), and audit catches a wrong one", () => {
    ledger.post(deposit("d", alice, 100n));
    const lineAfter = database.sqlite.prepare<[string, string], { balance_after: string }>(
      "SELECT l.balance_after FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id WHERE e.key = ? AND l.account_id = ?",
    );
    ledger.atomically(() => {
      ledger.post(spend("g1", alice, 10n));
      ledger.post(spend("g2", alice, 20n));
      // One posting with two lines on the same account: both carry the balance after the entry.
      ledger.post({ key: "g3", kind: "usage", teamId: "alice", lines: [
        { account: accountId.available(alice), amount: -1n },
        { account: accountId.available(alice), amount: -2n },
        { account: accountId.metered(alice), amount: 3n },
      ] });
      ledger.post(spend("g1", alice, 10n)); // a retried settle in the same group: no second entry
    });
    expect(lineAfter.get("g1", accountId.available(alice))).toEqual({ balance_after: "90" });
    expect(lineAfter.get("g2", accountId.available(alice))).toEqual({ balance_after: "70" });
    expect(lineAfter.get("g2", accountId.metered(alice))).toEqual({ balance_after: "30" });
    expect(lineAfter.all("g3", accountId.available(alice))).toEqual([{ balance_after: "67" }, { balance_after: "67" }]);
    expect(ledger.balanceOf(accountId.available(alice))).toBe(67n);
    expect(ledger.audit()).toEqual([]);

    database.sqlite.prepare("UPDATE ledger_lines SET balance_after = '71' WHERE balance_after = '70'").run();
    expect(ledger.audit()).toEqual([expect.stringMatching(/^entry \d+: team:alice:available balance_after 71, running sum 70$/)]);
  });

  it("random postings: every entry sums to zero, balances equal their lines, nothing negative but the escrow contra", () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const holders = [alice, bob, { teamId: "carol" }];
    const provider = accountId.providerEarnings("0x" + "ab".repeat(20));
    const shadow = new Map<string, bigint>();
    let refused = 0;
    for (let i = 0; i < 2_000; i += 1) {
      const h = holders[rand(3)]!;
      const amount = BigInt(rand(1_000_000)) * 10n ** BigInt(rand(19)) + 1n;
      const flows: [string, string][] = [
        [accountId.chainEscrow(), accountId.available(h)],
        [accountId.available(h), accountId.held(h)],
        [accountId.held(h), provider],
        [accountId.available(h), accountId.metered(h)],
        [accountId.metered(h), accountId.platformRevenue()],
        [provider, accountId.chainEscrow()],
      ];
      const [from, to] = flows[rand(flows.length)]!;
      const key = `k${rand(2_500)}`; // some keys repeat: those must be no-ops or conflicts
      try {
        const r = ledger.post({ key, kind: "t", lines: [{ account: from, amount: -amount }, { account: to, amount }] });
        if (!r.duplicate) {
          shadow.set(from, (shadow.get(from) ?? 0n) - amount);
          shadow.set(to, (shadow.get(to) ?? 0n) + amount);
        }
      } catch (e) {
        if (!(e instanceof InsufficientFunds || e instanceof IdempotencyConflict)) throw e;
        refused += 1;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(ledger.audit()).toEqual([]);
    const accounts = ledger.accounts();
    expect(accounts.reduce((sum, a) => sum + a.balance, 0n)).toBe(0n);
    for (const a of accounts) expect(a.balance).toBe(shadow.get(a.id) ?? 0n);
  });
});

describe("ledger under concurrent processes", () => {
  const worker = fileURLToPath(new URL("./ledger-worker.ts", import.meta.url));
  const run = (mode: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        new Promise<{ posted: number; duplicates: number; refused: number }>((resolve, reject) => {
          const child = spawn(process.execPath, ["--import", "tsx", worker, join(dir, "ledger.db"), mode, String(i)], { stdio: ["ignore", "pipe", "inherit"] });
          let out = "";
          child.stdout.on("data", (c: Buffer) => (out += c.toString()));
          child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as never) : reject(new Error(`worker exited ${code}`))));
        }),
      ),
    );

  it("four processes posting the same 200 keys create each entry once", async () => {
    const results = await run("same-keys", 4);
    expect(results.reduce((s, r) => s + r.posted, 0)).toBe(200);
    expect(results.reduce((s, r) => s + r.duplicates, 0)).toBe(600);
    expect(entryCount()).toBe(200);
    expect(ledger.audit()).toEqual([]);
  }, 120_000);

  it("four processes spending 1 wei 200 times each from 300 wei: exactly 300 pass, the balance ends at 0", async () => {
    ledger.post(deposit("fund", { teamId: "race" }, 300n));
    const results = await run("spend", 4);
    expect(results.reduce((s, r) => s + r.posted, 0)).toBe(300);
    expect(results.reduce((s, r) => s + r.refused, 0)).toBe(500);
    expect(ledger.balanceOf(accountId.available({ teamId: "race" }))).toBe(0n);
    expect(ledger.audit()).toEqual([]);
  }, 120_000);
});
