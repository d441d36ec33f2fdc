/**
 * Funding a team: its deposit reference (the bytes32 account its escrow deposits carry), the
 * devnet's "Get test SPON" (mint demo SPON to the team's devnet wallet, then approve + deposit
 * through the escrow exactly as a browser wallet would), and what the billing page shows.
 */
import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import { keccak256, parseEther, toHex, type Hash } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { ChainClients } from "#server/chain/client";
import { accountId } from "./accounts";
import { amountFromText } from "./amounts";
import type { Ledger } from "./ledger";

/** The team's deposit reference, created (random, 32 bytes) on first use. */
export function depositRefFor(sqlite: Database.Database, teamId: string, now: () => number = Date.now): Hash {
  const existing = sqlite.prepare<[string], { deposit_ref: string }>("SELECT deposit_ref FROM billing_accounts WHERE team_id = ?").get(teamId);
  if (existing) return existing.deposit_ref as Hash;
  const ref = `0x${randomBytes(32).toString("hex")}` as Hash;
  sqlite.prepare("INSERT INTO billing_accounts (team_id, deposit_ref, created_at) VALUES (?, ?, ?) ON CONFLICT(team_id) DO NOTHING").run(teamId, ref, now());
  return (sqlite.prepare<[string], { deposit_ref: string }>("SELECT deposit_ref FROM billing_accounts WHERE team_id = ?").get(teamId)!.deposit_ref) as Hash;
}

/**
 * The team's wallet on the embedded devnet, derived from the team id. Devnet only: its SPON is
 * demo money minted on a chain that lives in ./data, so the key needs no secrecy.
 */
export function teamDevnetWallet(teamId: string): PrivateKeyAccount {
  return privateKeyToAccount(keccak256(toHex(`skyloom-devnet-wallet:${teamId}`)));
}

/** Most demo SPON one "Get test SPON" mints: plenty for a demo, never an overflow. */
export const MAX_TEST_SPON = parseEther("10000");

/** Gas money for a devnet wallet (sent by the operator when it runs low). */
const DEVNET_GAS = parseEther("1");

/**
 * "Get test SPON": mints `amount` to the team's devnet wallet and deposits it into the escrow
 * with the team's reference (approve + deposit from that wallet). The watcher then shows the
 * deposit pending and credits it after its confirmations. Returns the deposit's transaction.
 */
export async function getTestSpon(chain: ChainClients, sqlite: Database.Database, teamId: string, amount: bigint): Promise<Hash> {
  if (chain.chain.id !== 31337) throw new Error("Test SPON exists only on the embedded devnet.");
  if (amount <= 0n || amount > MAX_TEST_SPON) throw new RangeError("Test SPON comes in amounts from 1 wei to 10,000 SPON.");
  const ref = depositRefFor(sqlite, teamId);
  const account = teamDevnetWallet(teamId);
  const wallet = chain.walletFor(account);
  if ((await chain.public.getBalance({ address: account.address })) < DEVNET_GAS / 10n) {
    const hash = await chain.operator.sendTransaction({ to: account.address, value: DEVNET_GAS });
    await chain.public.waitForTransactionReceipt({ hash });
  }
  await chain.tokenTx.mint(account.address, amount);
  await chain.tokenTx.approve(wallet, chain.addresses.escrow, amount);
  const receipt = await chain.escrowTx.deposit(wallet, ref, amount);
  return receipt.transactionHash;
}

export type TeamDeposit = { txHash: string; amount: bigint; status: "pending" | "credited"; confirmations: number; blockNumber: number };

/** A team's balances and its recent deposits, with confirmations counted from the watcher's last view of the head. */
export function teamBilling(sqlite: Database.Database, ledger: Ledger, teamId: string, chainId: number, limit = 50) {
  const head = sqlite.prepare<[string], { head_block: number }>("SELECT head_block FROM chain_cursors WHERE id LIKE ? || ':%'").get(String(chainId))?.head_block ?? 0;
  const rows = sqlite
    .prepare<[string, number, number], { tx_hash: string; amount: string; status: "pending" | "credited"; block_number: number }>(
      "SELECT tx_hash, amount, status, block_number FROM chain_deposits WHERE team_id = ? AND chain_id = ? ORDER BY id DESC LIMIT ?",
    )
    .all(teamId, chainId, limit);
  const holder = { teamId };
  return {
    available: ledger.balanceOf(accountId.available(holder)),
    held: ledger.balanceOf(accountId.held(holder)),
    metered: ledger.balanceOf(accountId.metered(holder)),
    charging: ledger.balanceOf(accountId.charging(holder)),
    deposits: rows.map(
      (r): TeamDeposit => ({
        txHash: r.tx_hash,
        amount: amountFromText(r.amount),
        status: r.status,
        blockNumber: r.block_number,
        confirmations: Math.max(0, head - r.block_number + 1),
      }),
    ),
  };
}
