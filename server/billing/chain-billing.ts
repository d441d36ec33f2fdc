/**
 * The chain side of billing as one adapter the host's composition root starts and stops: the
 * chain (the embedded devnet, or the configured EVM chain), the watcher posting escrow events
 * to the ledger, and the calls the billing router and page need (deposit instructions, Get test
 * SPON, balances with pending deposits, reconciliation, health).
 */
import type Database from "better-sqlite3";
import { privateKeyToAccount } from "viem/accounts";
import { createPublicClient, webSocket, type Chain, type Hash, type PublicClient, type Transport } from "viem";
import { createChainClients, type ChainClients } from "#server/chain/client";
import type { ChainConfig } from "#server/chain/config";
import { startDevnet, type Devnet } from "#server/chain/devnet";
import { createChainWatcher, type ChainWatcher } from "./chain-watcher";
import { depositRefFor, getTestSpon, teamBilling } from "./deposits";
import { createLedger, type Ledger } from "./ledger";
import { reconcile } from "./reconcile";

export type ChainBilling = {
  kind: ChainConfig["kind"];
  chain: ChainClients;
  ledger: Ledger;
  watcher: ChainWatcher;
  /** What a person needs to deposit from their own wallet. */
  depositInstructions(teamId: string): { chainId: number; token: string; escrow: string; depositRef: Hash };
  /** Devnet only: mint demo SPON to the team's devnet wallet and deposit it. */
  getTestSpon(teamId: string, amountWei: bigint): Promise<Hash>;
  balances(teamId: string): ReturnType<typeof teamBilling>;
  reconcile(): ReturnType<typeof reconcile>;
  health(): ReturnType<ChainWatcher["status"]> & { chainId: number; confirmations: number };
  stop(): Promise<void>;
};

export async function startChainBilling(options: { config: ChainConfig; dataDir: string; sqlite: Database.Database }): Promise<ChainBilling> {
  const { config, sqlite } = options;
  let devnet: Devnet | undefined;
  let chain: ChainClients;
  let fromBlock = 0n;
  if (config.kind === "devnet") {
    devnet = await startDevnet(options.dataDir);
    chain = devnet.clients;
  } else {
    chain = createChainClients({ rpcUrl: config.rpcUrl, chainId: config.chainId ?? 1, operator: privateKeyToAccount(config.operatorKey), addresses: config.addresses });
    const actual = await chain.public.getChainId();
    if (config.chainId !== undefined && actual !== config.chainId) throw new Error(`CHAIN_ID is ${config.chainId} but ${config.rpcUrl} is chain ${actual}.`);
    if (config.chainId === undefined) {
      chain = createChainClients({ rpcUrl: config.rpcUrl, chainId: actual, operator: privateKeyToAccount(config.operatorKey), addresses: config.addresses });
    }
    const escrowToken = await chain.escrow.read.token().catch(() => null);
    if (escrowToken?.toLowerCase() !== config.addresses.token.toLowerCase()) {
      throw new Error(`ESCROW_ADDRESS ${config.addresses.escrow} is not a SponEscrow for SPON_TOKEN_ADDRESS ${config.addresses.token} on ${config.rpcUrl}.`);
    }
    fromBlock = config.startBlock;
  }
  const ledger = createLedger(sqlite);
  // The watcher asks the chain several times a second. Over HTTP each call cost the host ~2 ms
  // of CPU (a fetch per call); over anvil's WebSocket (same port) ~0.3 ms, so the devnet's
  // watcher talks WebSocket. Other chains keep the configured HTTP URL, polled less often.
  let watcherClient: PublicClient<Transport, Chain> = chain.public;
  let closeWatcherSocket = async () => {};
  if (devnet) {
    const socketClient = createPublicClient({ chain: chain.chain, transport: webSocket(devnet.anvil.rpcUrl.replace(/^http/, "ws")), cacheTime: 0 });
    watcherClient = socketClient;
    closeWatcherSocket = async () => (await socketClient.transport.getRpcClient()).close();
  }
  const watcher = createChainWatcher({ sqlite, ledger, client: watcherClient, chainId: chain.chain.id, escrow: chain.addresses.escrow, confirmations: config.confirmations, fromBlock });
  watcher.start(config.pollMs);

  return {
    kind: config.kind,
    chain,
    ledger,
    watcher,
    depositInstructions: (teamId) => ({ chainId: chain.chain.id, token: chain.addresses.token, escrow: chain.addresses.escrow, depositRef: depositRefFor(sqlite, teamId) }),
    getTestSpon: (teamId, amountWei) => {
      if (config.kind !== "devnet") return Promise.reject(new Error("Test SPON exists only on the embedded devnet."));
      return getTestSpon(chain, sqlite, teamId, amountWei);
    },
    balances: (teamId) => teamBilling(sqlite, ledger, teamId, chain.chain.id),
    reconcile: () => reconcile(chain, sqlite, ledger),
    health: () => ({ ...watcher.status(), chainId: chain.chain.id, confirmations: config.confirmations }),
    async stop() {
      await watcher.stop();
      await closeWatcherSocket();
      await devnet?.stop();
    },
  };
}
