/**
 * A chain watcher in its own process, polling as fast as it can, so ledger-equals-chain.test.ts
 * can kill -9 it at a random moment: `node --import tsx watcher-process.ts <db> <rpcUrl> <escrow> <confirmations>`.
 */
import type { Address } from "viem";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { createChainWatcher } from "#server/billing/chain-watcher";
import { createLedger } from "#server/billing/ledger";
import { createChainClients } from "#server/chain/client";
import { DEVNET_CHAIN_ID, devnetAccount } from "#server/chain/devnet";

const [path, rpcUrl, escrow, confirmations] = process.argv.slice(2) as [string, string, Address, string];
const database = openDatabase(path, migrationsFolder());
const chain = createChainClients({ rpcUrl, chainId: DEVNET_CHAIN_ID, operator: devnetAccount(0), addresses: { token: escrow, escrow } });
const watcher = createChainWatcher({
  sqlite: database.sqlite,
  ledger: createLedger(database.sqlite),
  client: chain.public,
  chainId: DEVNET_CHAIN_ID,
  escrow,
  confirmations: Number(confirmations),
  batchBlocks: 3, // small batches: more commits for the kill to land between
});
for (;;) {
  const r = await watcher.pollOnce();
  console.log(JSON.stringify({ processedTo: r.processedTo, posted: r.posted }));
}
