/**
 * Reconciliation: the ledger against the escrow contract, account by account, to the wei. Read
 * at the block the watcher has processed, so events still waiting for confirmations never show
 * up as differences. An empty list means they agree.
 */
import type Database from "better-sqlite3";
import type { Hash } from "viem";
import type { ChainClients } from "#server/chain/client";
import { accountId, type Holder } from "./accounts";
import type { Ledger } from "./ledger";

export type Difference = { what: string; ledger: bigint; chain: bigint };

export async function reconcile(chain: ChainClients, sqlite: Database.Database, ledger: Ledger): Promise<{ atBlock: number; differences: Difference[] }> {
  const cursorId = `${chain.chain.id}:${chain.addresses.escrow.toLowerCase()}`;
  const cursor = sqlite.prepare<[string], { last_block: number }>("SELECT last_block FROM chain_cursors WHERE id = ?").get(cursorId);
  if (!cursor) return { atBlock: -1, differences: [] };
  // Read at the watcher's block. When the escrow has emitted nothing since, its state is the
  // same at the head, and the head is readable even where old states are not kept (an anvil
  // reloaded from its state file keeps only the newest).
  const head = await chain.public.getBlockNumber();
  const since = head > BigInt(cursor.last_block) ? await chain.public.getLogs({ address: chain.addresses.escrow, fromBlock: BigInt(cursor.last_block) + 1n, toBlock: head }) : [];
  const blockNumber = since.length === 0 ? head : BigInt(cursor.last_block);
  const differences: Difference[] = [];
  const compare = (what: string, ledgerAmount: bigint, chainAmount: bigint) => {
    if (ledgerAmount !== chainAmount) differences.push({ what, ledger: ledgerAmount, chain: chainAmount });
  };

  // Every deposit reference the ledger or the billing accounts know, with its holder.
  const holders = new Map<string, Holder>();
  for (const r of sqlite.prepare<[], { team_id: string; deposit_ref: string }>("SELECT team_id, deposit_ref FROM billing_accounts").all()) {
    holders.set(r.deposit_ref.toLowerCase(), { teamId: r.team_id });
  }
  for (const r of sqlite.prepare<[], { id: string }>("SELECT id FROM ledger_accounts WHERE id LIKE 'ref:%'").all()) {
    const ref = r.id.split(":")[1]!;
    if (!holders.has(ref)) holders.set(ref, { depositRef: ref });
  }
  for (const [ref, h] of holders) {
    const [unlocked, locked] = await Promise.all([
      chain.escrow.read.unlockedBalance([ref as Hash], { blockNumber }),
      chain.escrow.read.lockedBalance([ref as Hash], { blockNumber }),
    ]);
    const name = "teamId" in h ? `team ${h.teamId}` : `reference ${ref}`;
    const unlockedInLedger = ledger.balanceOf(accountId.available(h)) + ledger.balanceOf(accountId.metered(h)) + ledger.balanceOf(accountId.charging(h));
    compare(`${name}: unlocked (available + metered + charging)`, unlockedInLedger, unlocked);
    compare(`${name}: locked (held)`, ledger.balanceOf(accountId.held(h)), locked);
  }
  for (const r of sqlite.prepare<[], { id: string }>("SELECT id FROM ledger_accounts WHERE kind = 'earnings'").all()) {
    const provider = r.id.split(":")[1] as Hash;
    compare(`provider ${provider}: earnings`, ledger.balanceOf(r.id), await chain.escrow.read.earnings([provider], { blockNumber }));
  }
  compare("platform revenue", ledger.balanceOf(accountId.platformRevenue()), await chain.escrow.read.platformRevenue({ blockNumber }));
  compare(
    "SPON held by the escrow",
    -ledger.balanceOf(accountId.chainEscrow()),
    await chain.token.read.balanceOf([chain.addresses.escrow], { blockNumber }),
  );
  for (const problem of ledger.audit()) differences.push({ what: `ledger audit: ${problem}`, ledger: 0n, chain: 0n });
  return { atBlock: cursor.last_block, differences };
}
