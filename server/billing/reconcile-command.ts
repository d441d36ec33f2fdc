/**
 * `npm run reconcile`: the ledger against the escrow, to the wei. Prints one line per account
 * that differs and exits 1, or says they agree and exits 0. On the embedded devnet it uses the
 * running host's anvil, or starts the devnet itself when no host runs; with CHAIN_RPC_URL it
 * reads the configured chain.
 */
import { privateKeyToAccount } from "viem/accounts";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { createChainClients } from "#server/chain/client";
import { loadChainConfig } from "#server/chain/config";
import { DEVNET_CHAIN_ID, devnetAccount, runningDevnet, startDevnet } from "#server/chain/devnet";
import { loadConfig, type EnvSource } from "#server/env";
import { weiToSpon } from "./amounts";
import { createLedger } from "./ledger";
import { reconcile } from "./reconcile";

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

export async function runReconcile(env: EnvSource, io: Io): Promise<number> {
  const config = loadConfig(env);
  const chainConfig = loadChainConfig(env);
  const database = openDatabase(config.databasePath, migrationsFolder());
  let stop = async () => {};
  try {
    let chain;
    if (chainConfig.kind === "external") {
      const chainId = chainConfig.chainId ?? (await createChainClients({ rpcUrl: chainConfig.rpcUrl, chainId: 1, operator: privateKeyToAccount(chainConfig.operatorKey), addresses: chainConfig.addresses }).public.getChainId());
      chain = createChainClients({ rpcUrl: chainConfig.rpcUrl, chainId, operator: privateKeyToAccount(chainConfig.operatorKey), addresses: chainConfig.addresses });
    } else {
      const running = runningDevnet(config.dataDir);
      if (running) {
        chain = createChainClients({ rpcUrl: running.rpcUrl, chainId: DEVNET_CHAIN_ID, operator: devnetAccount(0), addresses: running.addresses });
      } else {
        const devnet = await startDevnet(config.dataDir, { blockEveryMs: 0 });
        stop = () => devnet.stop();
        chain = devnet.clients;
      }
    }
    const { atBlock, differences } = await reconcile(chain, database.sqlite, createLedger(database.sqlite));
    if (atBlock < 0) {
      io.stdout("Nothing to reconcile: the chain watcher has not processed any block yet.\n");
      return 0;
    }
    if (differences.length === 0) {
      io.stdout(`Ledger and escrow agree to the wei at block ${atBlock} (chain ${chain.chain.id}, escrow ${chain.addresses.escrow}).\n`);
      return 0;
    }
    io.stderr(`Ledger and escrow DIFFER at block ${atBlock} (chain ${chain.chain.id}, escrow ${chain.addresses.escrow}):\n`);
    for (const d of differences) {
      io.stderr(`  ${d.what}: ledger ${weiToSpon(d.ledger)} SPON, chain ${weiToSpon(d.chain)} SPON (difference ${d.ledger - d.chain} wei)\n`);
    }
    return 1;
  } finally {
    await stop();
    database.close();
  }
}

const invokedDirectly = process.argv[1]?.endsWith("reconcile-command.ts");
if (invokedDirectly) {
  process.exitCode = await runReconcile(process.env, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
}
