/**
 * Skyloom's double-entry ledger in SQLite (ADR 025). Every change of money is one entry whose
 * lines sum to zero; every entry carries an idempotency key, and posting a key again is a no-op
 * that returns the first entry; no balance other than the chain's contra account ever goes
 * negative (the posting is refused whole with InsufficientFunds).
 *
 * It talks to better-sqlite3 directly with statements prepared once per connection: the gateway
 * posts usage on every request. A posting is one transaction (BEGIN IMMEDIATE, so two processes
 * on one file serialize on the write lock before reading a balance), or a savepoint when the
 * caller is already in one — that is how usage lands in the same transaction as the run's row.
 */
import type Database from "better-sqlite3";
import { mayGoNegative, parseAccountId } from "./accounts";
import { amountFromText, amountToText } from "./amounts";

export type PostingLine = { account: string; amount: bigint };

export type Posting = {
  /** Idempotency key, e.g. `chain:31337:0xabc…:3` or `usage:<runId>`. */
  key: string;
  /** What happened: `deposit`, `usage`, `lease.settle` … (for statements). */
  kind: string;
  teamId?: string | null;
  memo?: string | null;
  at?: number;
  lines: PostingLine[];
};

export type PostResult = { entryId: number; duplicate: boolean };

export class InsufficientFunds extends Error {
  constructor(
    readonly accountId: string,
    readonly balance: bigint,
    readonly needed: bigint,
  ) {
    super(`Insufficient funds on ${accountId}: balance ${balance} wei, needs ${needed} wei.`);
    this.name = "InsufficientFunds";
  }
}

/** A posting that can never be valid (unbalanced, zero lines, bad account, bad key). */
export class InvalidPosting extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidPosting";
  }
}

/** The key was posted before with different lines: a caller reused a key for another thing. */
export class IdempotencyConflict extends Error {
  constructor(readonly key: string) {
    super(`Ledger key ${key} was already posted with different lines.`);
    this.name = "IdempotencyConflict";
  }
}

const MAX_AMOUNT = 2n ** 256n;

/** The lines' canonical form: the same posting always has the same digest, whatever the line order. */
export function postingDigest(p: Pick<Posting, "kind" | "lines">): string {
  return `${p.kind}|${p.lines.map((l) => `${l.account}=${l.amount}`).sort().join(",")}`;
}

/** Checks a posting's shape; returns the net change per account. Pure. */
export function validatePosting(p: Posting): Map<string, bigint> {
  if (!p.key || p.key.length > 300) throw new InvalidPosting("A posting needs a key of 1–300 characters.");
  if (p.lines.length < 2) throw new InvalidPosting(`Posting ${p.key} needs at least two lines.`);
  let sum = 0n;
  const net = new Map<string, bigint>();
  for (const line of p.lines) {
    parseAccountId(line.account);
    if (line.amount === 0n) throw new InvalidPosting(`Posting ${p.key} has a zero line on ${line.account}.`);
    if (line.amount >= MAX_AMOUNT || line.amount <= -MAX_AMOUNT) throw new InvalidPosting(`Posting ${p.key} has an amount out of range.`);
    sum += line.amount;
    net.set(line.account, (net.get(line.account) ?? 0n) + line.amount);
  }
  if (sum !== 0n) throw new InvalidPosting(`Posting ${p.key} does not balance: its lines sum to ${sum}.`);
  return net;
}

function prepare(sqlite: Database.Database) {
  return {
    entryByKey: sqlite.prepare<[string], { id: number; digest: string }>("SELECT id, digest FROM ledger_entries WHERE key = ?"),
    /** The balance text alone (pluck: no row object built; undefined when the account has no row). */
    balance: sqlite.prepare<[string], string>("SELECT balance FROM ledger_accounts WHERE id = ?").pluck(),
    createAccount: sqlite.prepare("INSERT INTO ledger_accounts (id, kind, team_id, balance, created_at) VALUES (?, ?, ?, ?, ?)"),
    setBalance: sqlite.prepare("UPDATE ledger_accounts SET balance = ? WHERE id = ?"),
    /** No row changed: the key was posted before (the unique key index is the idempotency check). */
    insertEntry: sqlite.prepare("INSERT INTO ledger_entries (key, kind, team_id, memo, digest, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING"),
    insertLine: sqlite.prepare("INSERT INTO ledger_lines (entry_id, account_id, amount, balance_after) VALUES (?, ?, ?, ?)"),
  };
}

export type Ledger = ReturnType<typeof createLedger>;

/** The ledger on one SQLite connection. `clock` stamps entries that carry no `at`. */
export function createLedger(sqlite: Database.Database, clock: () => number = Date.now) {
  const s = prepare(sqlite);

  function balanceOf(accountId: string): bigint {
    const balance = s.balance.get(accountId);
    return balance === undefined ? 0n : amountFromText(balance);
  }

  /** The stored balance of each account the posting moves (absent: the account has no row yet). */
  function storedBalances(net: Map<string, bigint>): Map<string, string> {
    const stored = new Map<string, string>();
    for (const account of net.keys()) {
      const balance = s.balance.get(account);
      if (balance !== undefined) stored.set(account, balance);
    }
    return stored;
  }

  function duplicateOf(p: Posting, digest: string): PostResult | null {
    const existing = s.entryByKey.get(p.key);
    if (!existing) return null;
    if (existing.digest !== digest) throw new IdempotencyConflict(p.key);
    return { entryId: existing.id, duplicate: true };
  }

  function postNow(p: Posting, net: Map<string, bigint>, digest: string): PostResult {
    const now = clock();
    // Every check before the first write: a refusal leaves nothing behind, even without a savepoint.
    const stored = storedBalances(net);
    const afterOf = new Map<string, string>();
    for (const [account, change] of net) {
      const text = stored.get(account);
      const before = text === undefined ? 0n : amountFromText(text);
      const after = before + change;
      // A key posted before answers with its entry even when the money has moved on since.
      if (after < 0n && !mayGoNegative(parseAccountId(account).kind)) {
        const duplicate = duplicateOf(p, digest);
        if (duplicate) return duplicate;
        throw new InsufficientFunds(account, before, -change);
      }
      afterOf.set(account, amountToText(after));
    }
    // The idempotency check is the insert itself: the unique key index refuses a key seen before,
    // and then nothing has been written.
    const inserted = s.insertEntry.run(p.key, p.kind, p.teamId ?? null, p.memo ?? null, digest, p.at ?? now);
    if (inserted.changes === 0) {
      const duplicate = duplicateOf(p, digest);
      if (!duplicate) throw new Error(`Ledger key ${p.key}: the entry was neither inserted nor found.`);
      return duplicate;
    }
    const entryId = Number(inserted.lastInsertRowid);
    for (const [account, after] of afterOf) {
      if (stored.has(account)) s.setBalance.run(after, account);
      else {
        const parsed = parseAccountId(account);
        s.createAccount.run(account, parsed.kind, parsed.teamId, after, now);
      }
    }
    for (const line of p.lines) s.insertLine.run(entryId, line.account, amountToText(line.amount), afterOf.get(line.account));
    return { entryId, duplicate: false };
  }
  const postTx = sqlite.transaction(postNow);

  return {
    /**
     * Posts one balanced entry, or returns the entry already posted under its key. Throws
     * InvalidPosting, IdempotencyConflict or InsufficientFunds, having written nothing.
     */
    post(p: Posting): PostResult {
      const net = validatePosting(p);
      const digest = postingDigest(p);
      // Inside a caller's transaction (a run's group commit, a watcher batch) no savepoint is
      // needed: every check runs before the first write, so a refusal writes nothing, and a
      // SQLite error part-way aborts the caller's transaction (or its own savepoint) with it.
      return sqlite.inTransaction ? postNow(p, net, digest) : postTx.immediate(p, net, digest);
    },
    balanceOf,
    /** Runs `fn` in one transaction (BEGIN IMMEDIATE): all of its postings land, or none. */
    atomically<T>(fn: () => T): T {
      return sqlite.inTransaction ? sqlite.transaction(fn)() : sqlite.transaction(fn).immediate();
    },
    /** Every account with its balance. */
    accounts(): { id: string; kind: string; teamId: string | null; balance: bigint }[] {
      return sqlite
        .prepare<[], { id: string; kind: string; team_id: string | null; balance: string }>("SELECT id, kind, team_id, balance FROM ledger_accounts ORDER BY id")
        .all()
        .map((r) => ({ id: r.id, kind: r.kind, teamId: r.team_id, balance: amountFromText(r.balance) }));
    },
    /**
     * Recomputes every balance, every line's balance after, and every entry's sum from the lines; returns the problems found
     * (none on a healthy ledger). For reconciliation and tests.
     */
    audit(): string[] {
      const problems: string[] = [];
      const sums = new Map<string, bigint>();
      const perEntry = new Map<number, bigint>();
      // In posting order (entry ids are taken under the write lock): each line's balance_after
      // must be its account's running sum once its whole entry is counted.
      type Line = { entry_id: number; account_id: string; amount: string; balance_after: string | null };
      let entryLines: Line[] = [];
      const checkBalancesAfter = () => {
        for (const l of entryLines) {
          if (l.balance_after !== null && amountFromText(l.balance_after) !== sums.get(l.account_id)) {
            problems.push(`entry ${l.entry_id}: ${l.account_id} balance_after ${l.balance_after}, running sum ${sums.get(l.account_id)}`);
          }
        }
        entryLines = [];
      };
      for (const line of sqlite.prepare<[], Line>("SELECT entry_id, account_id, amount, balance_after FROM ledger_lines ORDER BY entry_id, id").iterate()) {
        if (entryLines.length > 0 && entryLines[0]!.entry_id !== line.entry_id) checkBalancesAfter();
        entryLines.push(line);
        const amount = amountFromText(line.amount);
        sums.set(line.account_id, (sums.get(line.account_id) ?? 0n) + amount);
        perEntry.set(line.entry_id, (perEntry.get(line.entry_id) ?? 0n) + amount);
      }
      checkBalancesAfter();
      for (const [entry, sum] of perEntry) if (sum !== 0n) problems.push(`entry ${entry} sums to ${sum}`);
      for (const account of this.accounts()) {
        const fromLines = sums.get(account.id) ?? 0n;
        if (fromLines !== account.balance) problems.push(`${account.id}: balance ${account.balance}, lines sum to ${fromLines}`);
        if (account.balance < 0n && !mayGoNegative(parseAccountId(account.id).kind)) problems.push(`${account.id} is negative: ${account.balance}`);
      }
      return problems;
    },
  };
}
