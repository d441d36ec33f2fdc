import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The double-entry ledger (server/billing/ledger.ts, ADR 025). Amounts are SPON base units
 * (wei, 18 decimals) as bigint; SQLite's INTEGER is 64-bit and 18-decimal SPON overflows it past
 * ~9.2 SPON, so every amount is TEXT holding a canonical decimal integer ("-12", "0", "340…"),
 * parsed with BigInt and never added up by SQL. No foreign keys to teams: money history outlives
 * a deleted team (its funds are still in the escrow).
 */
export const ledgerAccounts = sqliteTable(
  "ledger_accounts",
  {
    /** `team:<teamId>:available`, `provider:<address>:earnings`, `chain:escrow` … (server/billing/accounts.ts). */
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    /** The team that owns the account, for statements; null for providers, the platform and the chain. */
    teamId: text("team_id"),
    /** Sum of the account's lines, kept in step by every posting (canonical decimal text). */
    balance: text("balance").notNull().default("0"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("ledger_accounts_team_idx").on(t.teamId)],
);

/*
 * Entries and lines are posted on every /v1 request, in the run's transaction: each index and
 * the AUTOINCREMENT counter (sqlite_sequence, one more row written per insert) cost on the
 * gateway's hot path, so they hold only what a query reads (ADR 025). Their ids still only grow:
 * SQLite gives a new row the largest id plus one, and ledger rows are never deleted.
 */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    id: integer("id").primaryKey(),
    /** Idempotency key: posting the same key again is a no-op that returns this entry. */
    key: text("key").notNull(),
    kind: text("kind").notNull(),
    teamId: text("team_id"),
    memo: text("memo"),
    /** The lines in canonical form, so a repeated key with different lines is caught as a conflict. */
    digest: text("digest").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  // The key index is the idempotency check (INSERT … ON CONFLICT (key) DO NOTHING).
  (t) => [uniqueIndex("ledger_entries_key_idx").on(t.key)],
);

export const ledgerLines = sqliteTable(
  "ledger_lines",
  {
    id: integer("id").primaryKey(),
    entryId: integer("entry_id")
      .notNull()
      .references(() => ledgerEntries.id),
    accountId: text("account_id")
      .notNull()
      .references(() => ledgerAccounts.id),
    /** Signed canonical decimal; an entry's lines sum to zero. */
    amount: text("amount").notNull(),
    /** The account's balance after this entry (statements read it; null on lines posted before it existed). */
    balanceAfter: text("balance_after"),
  },
  // An account's lines in posting order: an index on account_id holds each line's id after it,
  // so a statement page (account, id < cursor, newest first) reads only its rows, unsorted.
  (t) => [index("ledger_lines_account_idx").on(t.accountId)],
);

/** A team's escrow account on the chain: the bytes32 deposit reference its deposits carry. */
export const billingAccounts = sqliteTable("billing_accounts", {
  teamId: text("team_id").primaryKey(),
  /** 0x-prefixed 32-byte hex, lower case. */
  depositRef: text("deposit_ref").notNull().unique(),
  /** When the devnet's welcome grant of test SPON was sent (once per team; null elsewhere). */
  welcomeGrantAt: integer("welcome_grant_at", { mode: "timestamp_ms" }),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

/** How far the chain watcher has processed one escrow's events (restart-safe). */
export const chainCursors = sqliteTable("chain_cursors", {
  /** `<chainId>:<escrow address>` */
  id: text("id").primaryKey(),
  /** Last block whose events are in the ledger (all of them, atomically with this row). */
  lastBlock: integer("last_block").notNull(),
  lastBlockHash: text("last_block_hash").notNull(),
  /** The chain head at the last poll, for confirmations and "is the watcher behind". */
  headBlock: integer("head_block").notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

export const CHAIN_DEPOSIT_STATUSES = ["pending", "credited"] as const;

/** Deposits seen on the chain: pending while confirmations count, then credited (once). */
export const chainDeposits = sqliteTable(
  "chain_deposits",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    chainId: integer("chain_id").notNull(),
    txHash: text("tx_hash").notNull(),
    logIndex: integer("log_index").notNull(),
    blockNumber: integer("block_number").notNull(),
    blockHash: text("block_hash").notNull(),
    depositRef: text("deposit_ref").notNull(),
    /** Null when the reference names no team (the funds sit on a `ref:` account). */
    teamId: text("team_id"),
    fromAddress: text("from_address").notNull(),
    amount: text("amount").notNull(),
    status: text("status", { enum: CHAIN_DEPOSIT_STATUSES }).notNull(),
    entryId: integer("entry_id").references(() => ledgerEntries.id),
    seenAt: integer("seen_at", { mode: "timestamp_ms" }).notNull(),
    creditedAt: integer("credited_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("chain_deposits_log_idx").on(t.chainId, t.txHash, t.logIndex), index("chain_deposits_team_idx").on(t.teamId, t.id)],
);
