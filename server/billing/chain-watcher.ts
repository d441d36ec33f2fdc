/**
 * The chain watcher: reads the escrow's events and posts them to the ledger once they have
 * `confirmations` confirmations (a log in block b has head − b + 1).
 *
 * - Restart-safe: the cursor (last processed block and its hash) lives in SQLite and moves in
 *   the same transaction as the batch's postings, so a crash anywhere leaves either the whole
 *   batch and the new cursor, or neither; the next poll starts from the cursor.
 * - Exactly once: each posting's key is (chain, tx hash, log index), so an event delivered twice
 *   (a rewound cursor, an overlapping range) posts once.
 * - Reorgs: nothing is credited before its confirmations, so a reorg inside that window only
 *   changes the pending list, which is rebuilt from the chain on every poll. A reorg deeper than
 *   the window (the cursor block's hash changed) stops the watcher with ChainReorgTooDeep rather
 *   than guess.
 */
import type Database from "better-sqlite3";
import type { Address, Chain, Hash, PublicClient, Transport } from "viem";
import { sponEscrowAbi } from "#server/chain/generated/contracts";
import type { Holder } from "./accounts";
import { amountToText } from "./amounts";
import { chainPostingKey, leaseReleaseKey, leaseReserveKey, postingForEscrowLog, type EscrowLog } from "./chain-postings";
import type { Ledger } from "./ledger";

export class ChainReorgTooDeep extends Error {
  constructor(block: number) {
    super(`Block ${block}, already credited, is no longer on the chain: a reorg deeper than the confirmations window. Raise CHAIN_CONFIRMATIONS and reconcile.`);
    this.name = "ChainReorgTooDeep";
  }
}

export type ChainWatcherOptions = {
  sqlite: Database.Database;
  ledger: Ledger;
  client: PublicClient<Transport, Chain>;
  chainId: number;
  escrow: Address;
  confirmations: number;
  /** Where to start on a fresh database (the escrow's deployment block). */
  fromBlock?: bigint;
  /** Most blocks read per batch (RPC providers cap eth_getLogs ranges). */
  batchBlocks?: number;
  /** Test hook: runs inside the batch's transaction before each log is posted. Throwing aborts the batch. */
  beforePosting?: (log: EscrowLog, indexInBatch: number) => void;
  now?: () => number;
};

type CursorRow = { last_block: number; last_block_hash: string; head_block: number };
export type PollResult = { head: number; processedTo: number; posted: number; pending: number };

export function createChainWatcher(o: ChainWatcherOptions) {
  const cursorId = `${o.chainId}:${o.escrow.toLowerCase()}`;
  const now = o.now ?? Date.now;
  const q = {
    cursor: o.sqlite.prepare<[string], CursorRow>("SELECT last_block, last_block_hash, head_block FROM chain_cursors WHERE id = ?"),
    saveCursor: o.sqlite.prepare(
      `INSERT INTO chain_cursors (id, last_block, last_block_hash, head_block, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET last_block = excluded.last_block, last_block_hash = excluded.last_block_hash, head_block = excluded.head_block, updated_at = excluded.updated_at`,
    ),
    saveHead: o.sqlite.prepare("UPDATE chain_cursors SET head_block = ?, updated_at = ? WHERE id = ?"),
    entryByKey: o.sqlite.prepare<[string], { id: number }>("SELECT id FROM ledger_entries WHERE key = ?"),
    teamForRef: o.sqlite.prepare<[string], { team_id: string }>("SELECT team_id FROM billing_accounts WHERE deposit_ref = ?"),
    dropPending: o.sqlite.prepare("DELETE FROM chain_deposits WHERE chain_id = ? AND status = 'pending'"),
    upsertDeposit: o.sqlite.prepare(
      `INSERT INTO chain_deposits (chain_id, tx_hash, log_index, block_number, block_hash, deposit_ref, team_id, from_address, amount, status, entry_id, seen_at, credited_at)
       VALUES (@chainId, @txHash, @logIndex, @blockNumber, @blockHash, @ref, @teamId, @from, @amount, @status, @entryId, @at, @creditedAt)
       ON CONFLICT(chain_id, tx_hash, log_index) DO UPDATE SET status = excluded.status, entry_id = excluded.entry_id,
         credited_at = excluded.credited_at, block_number = excluded.block_number, block_hash = excluded.block_hash`,
    ),
  };

  const holderFor = (ref: Hash): Holder => {
    const row = q.teamForRef.get(ref.toLowerCase());
    return row ? { teamId: row.team_id } : { depositRef: ref };
  };

  /** A `lease:reserve:` entry not given back: the host holds this order's escrow already. */
  const reservedInLedger = (orderId: Hash): boolean => q.entryByKey.get(leaseReserveKey(orderId)) !== undefined && q.entryByKey.get(leaseReleaseKey(orderId)) === undefined;

  async function readLogs(fromBlock: bigint, toBlock: bigint): Promise<(EscrowLog & { blockHash: Hash })[]> {
    const logs = await o.client.getContractEvents({ address: o.escrow, abi: sponEscrowAbi, fromBlock, toBlock, strict: true });
    return logs
      .map((l) => ({ ...(l as unknown as EscrowLog), blockHash: l.blockHash, blockNumber: l.blockNumber, logIndex: l.logIndex, transactionHash: l.transactionHash }))
      .sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  }

  function depositRow(log: EscrowLog & { blockHash: Hash }, status: "pending" | "credited", entryId: number | null) {
    if (log.eventName !== "Deposited") throw new Error("not a deposit");
    const holder = holderFor(log.args.account);
    return {
      chainId: o.chainId,
      txHash: log.transactionHash.toLowerCase(),
      logIndex: log.logIndex,
      blockNumber: Number(log.blockNumber),
      blockHash: log.blockHash,
      ref: log.args.account.toLowerCase(),
      teamId: "teamId" in holder ? holder.teamId : null,
      from: log.args.from.toLowerCase(),
      amount: amountToText(log.args.amount),
      status,
      entryId,
      at: now(),
      creditedAt: status === "credited" ? now() : null,
    };
  }

  /** Posts one confirmed range and moves the cursor, all in one transaction. */
  function applyBatch(logs: (EscrowLog & { blockHash: Hash })[], toBlock: number, toBlockHash: string, head: number): number {
    return o.ledger.atomically(() => {
      let posted = 0;
      logs.forEach((log, i) => {
        o.beforePosting?.(log, i);
        // A log seen before (a rewound cursor) keeps the entry it made: a take from unlocked money
        // is split by the balances at the time, which have moved on since.
        const seen = q.entryByKey.get(chainPostingKey(o.chainId, log));
        const posting = seen ? null : postingForEscrowLog(o.chainId, log, { holderFor, reservedInLedger, balanceOf: o.ledger.balanceOf });
        const result = seen ? { entryId: seen.id, duplicate: true } : posting ? o.ledger.post(posting) : null;
        if (result && !result.duplicate) posted += 1;
        if (log.eventName === "Deposited") q.upsertDeposit.run(depositRow(log, "credited", result?.entryId ?? null));
      });
      q.saveCursor.run(cursorId, toBlock, toBlockHash, head, now());
      return posted;
    });
  }

  /** The chain's head at the last complete pass: a poll that finds the same block has nothing to do. */
  let lastPass: { headHash: Hash; result: PollResult } | undefined;

  /** One pass: credit every confirmed block after the cursor, then rebuild the pending list. */
  async function pollOnce(): Promise<PollResult> {
    // One call when nothing happened (the host polls several times per block): the head block's
    // hash, which also changes when a reorg replaces the head at the same height.
    const latest = await o.client.getBlock({ blockTag: "latest" });
    if (lastPass && latest.hash === lastPass.headHash) return { ...lastPass.result, posted: 0 };
    const result = await fullPass(Number(latest.number));
    lastPass = { headHash: latest.hash, result };
    return result;
  }

  async function fullPass(head: number): Promise<PollResult> {
    let cursor = q.cursor.get(cursorId);
    if (cursor && cursor.last_block >= 0) {
      const block = await o.client.getBlock({ blockNumber: BigInt(cursor.last_block) }).catch(() => null);
      if (!block || block.hash !== cursor.last_block_hash) throw new ChainReorgTooDeep(cursor.last_block);
    }
    const safe = head - (o.confirmations - 1);
    let last = cursor?.last_block ?? Number(o.fromBlock ?? 0n) - 1;
    let posted = 0;
    while (safe > last) {
      const from = last + 1;
      const to = Math.min(safe, from + (o.batchBlocks ?? 2_000) - 1);
      const [logs, toBlock] = await Promise.all([readLogs(BigInt(from), BigInt(to)), o.client.getBlock({ blockNumber: BigInt(to) })]);
      posted += applyBatch(logs, to, toBlock.hash, head);
      last = to;
    }
    cursor = q.cursor.get(cursorId);
    // Pending: deposits in blocks not yet confirmed, read afresh each time so a reorg drops them.
    const pendingLogs = head > last ? (await readLogs(BigInt(last + 1), BigInt(head))).filter((l) => l.eventName === "Deposited") : [];
    o.sqlite.transaction(() => {
      q.dropPending.run(o.chainId);
      for (const log of pendingLogs) q.upsertDeposit.run(depositRow(log, "pending", null));
      if (cursor) q.saveHead.run(head, now(), cursorId);
    })();
    return { head, processedTo: last, posted, pending: pendingLogs.length };
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let lastError: Error | undefined;

  return {
    pollOnce,
    /** Polls every `intervalMs` until stop(); errors are kept for /healthz and retried on the next tick. */
    start(intervalMs: number) {
      const tick = () => {
        running = pollOnce()
          .then(() => (lastError = undefined))
          .catch((e: Error) => (lastError = e))
          .finally(() => {
            if (timer !== undefined) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, 0);
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
    /** For /healthz: how far behind the chain head the ledger is, and the last error. */
    status() {
      const c = q.cursor.get(cursorId);
      const processed = c?.last_block ?? -1;
      const head = c?.head_block ?? -1;
      return { processedBlock: processed, headBlock: head, behindBlocks: Math.max(0, head - (o.confirmations - 1) - processed), error: lastError?.message ?? null };
    },
  };
}

export type ChainWatcher = ReturnType<typeof createChainWatcher>;
