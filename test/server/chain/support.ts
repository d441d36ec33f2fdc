/** A fresh anvil with SPON and the escrow deployed, for tests that need a real chain. */
import { createTestClient, http, keccak256, toHex, type Hash } from "viem";
import { createChainClients, deployContracts, type ChainClients } from "#server/chain/client";
import { DEVNET_CHAIN_ID, devnetAccount, startAnvil, type AnvilProcess } from "#server/chain/devnet";

export type TestChain = {
  anvil: AnvilProcess;
  chain: ChainClients;
  test: ReturnType<typeof makeTestClient>;
  stop(): Promise<void>;
};

function makeTestClient(rpcUrl: string) {
  return createTestClient({ mode: "anvil", transport: http(rpcUrl) });
}

export async function startTestChain(): Promise<TestChain> {
  const anvil = await startAnvil();
  const operator = devnetAccount(0);
  const addresses = await deployContracts({ rpcUrl: anvil.rpcUrl, chainId: DEVNET_CHAIN_ID, operator });
  const chain = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: DEVNET_CHAIN_ID, operator, addresses });
  return { anvil, chain, test: makeTestClient(anvil.rpcUrl), stop: () => anvil.stop() };
}

/** A bytes32 id from a readable name, for orders and accounts in tests. */
export const id32 = (name: string): Hash => keccak256(toHex(name));

/** The contract error a rejected call reverted with (`InsufficientBalance`, …), or a message. */
export async function revertName(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    let e: unknown = error;
    while (e && typeof e === "object") {
      const data = (e as { data?: { errorName?: string } }).data;
      if (data?.errorName) return data.errorName;
      e = (e as { cause?: unknown }).cause;
    }
    return `unexpected error: ${(error as Error).message.split("\n")[0]}`;
  }
  return "did not revert";
}
