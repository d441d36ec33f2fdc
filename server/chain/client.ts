/**
 * viem clients for the chain Skyloom bills on (the embedded devnet, or Base / any EVM chain when
 * configured), and the typed contract calls the rest of the server uses. Every write simulates
 * first, so a revert surfaces as the contract's named error (`InsufficientBalance`, …) before
 * any gas is spent, then waits for the receipt.
 */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getContract,
  http,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { sponEscrowAbi, sponEscrowBytecode, sponTokenAbi, sponTokenBytecode } from "./generated/contracts";

export type ContractAddresses = { token: Address; escrow: Address };

export type ChainClientOptions = {
  rpcUrl: string;
  chainId: number;
  /** The operator: owns the escrow (locks, leases, charges, withdrawals for teams) and, on the devnet, the token. */
  operator: Account;
  addresses: ContractAddresses;
  /** How often viem polls for receipts and blocks; local chains answer at once. */
  pollingIntervalMs?: number;
};

export class ChainError extends Error {
  constructor(
    message: string,
    readonly txHash?: Hash,
  ) {
    super(message);
    this.name = "ChainError";
  }
}

/**
 * The gas limit sent for an estimate. A lease's gas depends on the block's time: a close
 * estimated in the second its lease was settled has nothing due (no settlement), and mined a
 * second later it settles (three more storage writes, one maybe from zero): sent with the bare
 * estimate it ran out of gas and reverted. Only the gas used is paid.
 */
export const gasWithHeadroom = (estimate: bigint): bigint => (estimate * 3n) / 2n + 50_000n;

export function chainFor(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? "Skyloom devnet" : `EVM chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

type Wallet = WalletClient<Transport, Chain, Account>;

export function createChainClients(options: ChainClientOptions) {
  const chain = chainFor(options.chainId, options.rpcUrl);
  const pollingInterval = options.pollingIntervalMs ?? (options.chainId === 31337 ? 25 : 2_000);
  const publicClient: PublicClient<Transport, Chain> = createPublicClient({ chain, transport: http(options.rpcUrl), pollingInterval, cacheTime: 0 });
  const walletFor = (account: Account): Wallet => createWalletClient({ account, chain, transport: http(options.rpcUrl), pollingInterval });
  const operatorWallet = walletFor(options.operator);
  const { token, escrow } = options.addresses;

  // A call into the escrow can revert inside the token (ERC20InsufficientAllowance …): decode those too.
  const tokenErrors = sponTokenAbi.filter((item) => item.type === "error");

  /** Simulates, sends and waits for one contract call from `wallet`; throws ChainError on revert. */
  async function write<const abi extends Abi, name extends ContractFunctionName<abi, "nonpayable" | "payable">>(
    wallet: Wallet,
    address: Address,
    abi: abi,
    functionName: name,
    args: ContractFunctionArgs<abi, "nonpayable" | "payable", name>,
  ): Promise<TransactionReceipt> {
    // viem's generic write types do not narrow through a wrapper; the call shape is checked by the callers' signatures.
    const { request } = await publicClient.simulateContract({ account: wallet.account, address, abi: [...abi, ...tokenErrors], functionName, args } as never);
    const gas = gasWithHeadroom(await publicClient.estimateContractGas(request as never));
    const hash = await wallet.writeContract({ ...(request as object), gas } as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new ChainError(`${functionName} reverted`, hash);
    return receipt;
  }

  const tokenRead = getContract({ address: token, abi: sponTokenAbi, client: publicClient });
  const escrowRead = getContract({ address: escrow, abi: sponEscrowAbi, client: publicClient });

  return {
    chain,
    public: publicClient,
    operator: operatorWallet,
    walletFor,
    addresses: options.addresses,
    token: tokenRead,
    escrow: escrowRead,
    write,
    /** SPON calls (`from` defaults to the operator). */
    tokenTx: {
      mint: (to: Address, amount: bigint) => write(operatorWallet, token, sponTokenAbi, "mint", [to, amount]),
      approve: (from: Wallet, spender: Address, amount: bigint) => write(from, token, sponTokenAbi, "approve", [spender, amount]),
      transfer: (from: Wallet, to: Address, amount: bigint) => write(from, token, sponTokenAbi, "transfer", [to, amount]),
    },
    /** Escrow calls; the operator's unless a wallet is given. */
    escrowTx: {
      deposit: (from: Wallet, account: Hash, amount: bigint) => write(from, escrow, sponEscrowAbi, "deposit", [account, amount]),
      withdraw: (account: Hash, to: Address, amount: bigint) => write(operatorWallet, escrow, sponEscrowAbi, "withdraw", [account, to, amount]),
      charge: (account: Hash, ref: Hash, amount: bigint) => write(operatorWallet, escrow, sponEscrowAbi, "charge", [account, ref, amount]),
      withdrawRevenue: (to: Address, amount: bigint) => write(operatorWallet, escrow, sponEscrowAbi, "withdrawRevenue", [to, amount]),
      lock: (orderId: Hash, account: Hash, amount: bigint) => write(operatorWallet, escrow, sponEscrowAbi, "lock", [orderId, account, amount]),
      unlock: (orderId: Hash) => write(operatorWallet, escrow, sponEscrowAbi, "unlock", [orderId]),
      startLease: (orderId: Hash, provider: Address, ratePerSecond: bigint) =>
        write(operatorWallet, escrow, sponEscrowAbi, "startLease", [orderId, provider, ratePerSecond]),
      settle: (orderId: Hash, from: Wallet = operatorWallet) => write(from, escrow, sponEscrowAbi, "settle", [orderId]),
      settleMany: (orderIds: readonly Hash[], from: Wallet = operatorWallet) => write(from, escrow, sponEscrowAbi, "settleMany", [orderIds]),
      close: (orderId: Hash, from: Wallet = operatorWallet) => write(from, escrow, sponEscrowAbi, "close", [orderId]),
      withdrawEarnings: (provider: Wallet, to: Address, amount: bigint) =>
        write(provider, escrow, sponEscrowAbi, "withdrawEarnings", [to, amount]),
    },
  };
}

export type ChainClients = ReturnType<typeof createChainClients>;

/** Deploys SPON (owned by the operator) and the escrow (operated by the operator). */
export async function deployContracts(options: Omit<ChainClientOptions, "addresses">): Promise<ContractAddresses> {
  const chain = chainFor(options.chainId, options.rpcUrl);
  const pollingInterval = options.pollingIntervalMs ?? 25;
  const publicClient = createPublicClient({ chain, transport: http(options.rpcUrl), pollingInterval, cacheTime: 0 });
  const wallet = createWalletClient({ account: options.operator, chain, transport: http(options.rpcUrl), pollingInterval });
  const deployed = async (hash: Hash): Promise<Address> => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress) throw new ChainError("deployment failed", hash);
    return receipt.contractAddress;
  };
  const token = await deployed(
    await wallet.deployContract({ abi: sponTokenAbi, bytecode: sponTokenBytecode, args: [options.operator.address] }),
  );
  const escrow = await deployed(
    await wallet.deployContract({ abi: sponEscrowAbi, bytecode: sponEscrowBytecode, args: [token, options.operator.address] }),
  );
  return { token, escrow };
}
