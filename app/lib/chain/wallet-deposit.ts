/**
 * Paying into a team's escrow account from the person's own browser wallet (EIP-1193:
 * window.ethereum), with viem's custom transport: connect (and switch the wallet to the
 * escrow's chain), approve the escrow to take the SPON, deposit it with the team's reference.
 * The wallet signs and sends; Skyloom never sees a key. The server's watcher then sees the
 * `Deposited` event and credits the team after its confirmations.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  UserRejectedRequestError,
  type Address,
  type Chain,
  type EIP1193Provider,
  type Hash,
} from "viem";
import { walletEscrowAbi, walletTokenAbi } from "./wallet-abis";

/** Where the SPON goes: what billing.depositInstructions() tells the page. */
export type DepositTarget = {
  chainId: number;
  /** The chain's RPC, offered to a wallet that does not know the chain yet (the devnet's is local). */
  rpcUrl: string | null;
  tokenAddress: Address;
  escrowAddress: Address;
  depositRef: Hash;
};

export type WalletState = { address: Address; sponBalance: bigint; allowance: bigint };

/** A wallet problem worded for the person at the wallet. */
export class WalletError extends Error {
  override name = "WalletError";
}

/** The browser's wallet, if one is installed. */
export function browserWallet(): EIP1193Provider | null {
  if (typeof window === "undefined") return null;
  return (window as { ethereum?: EIP1193Provider }).ethereum ?? null;
}

function chainOf(target: DepositTarget): Chain {
  return defineChain({
    id: target.chainId,
    name: target.chainId === 31337 ? "Skyloom devnet" : `Chain ${target.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: target.rpcUrl ? [target.rpcUrl] : [] } },
  });
}

function clients(provider: EIP1193Provider, target: DepositTarget) {
  const chain = chainOf(target);
  const transport = custom(provider);
  // A receipt on a local chain is there at once; a real chain takes seconds: poll each second.
  return {
    chain,
    wallet: createWalletClient({ chain, transport, pollingInterval: 1_000 }),
    reader: createPublicClient({ chain, transport, pollingInterval: 1_000 }),
  };
}

/** Makes the wallet use the escrow's chain: switch to it, or add it first when the wallet does not know it (error 4902). */
async function useEscrowChain(provider: EIP1193Provider, target: DepositTarget): Promise<void> {
  const { chain, wallet } = clients(provider, target);
  if ((await wallet.getChainId()) === target.chainId) return;
  try {
    await wallet.switchChain({ id: target.chainId });
  } catch (error) {
    const unknownChain = error instanceof BaseError && error.walk((e) => (e as { code?: number }).code === 4902) !== null;
    if (!unknownChain || !target.rpcUrl) throw error;
    await wallet.addChain({ chain });
  }
  if ((await wallet.getChainId()) !== target.chainId) throw new WalletError(`Switch your wallet to chain ${target.chainId} to deposit.`);
}

/** What the wallet holds and has already allowed the escrow to take. */
export async function readWallet(provider: EIP1193Provider, target: DepositTarget, address: Address): Promise<WalletState> {
  const { reader } = clients(provider, target);
  const [sponBalance, allowance] = await Promise.all([
    reader.readContract({ address: target.tokenAddress, abi: walletTokenAbi, functionName: "balanceOf", args: [address] }),
    reader.readContract({ address: target.tokenAddress, abi: walletTokenAbi, functionName: "allowance", args: [address, target.escrowAddress] }),
  ]);
  return { address, sponBalance, allowance };
}

/** Click 0: asks the wallet for an account, moves it to the escrow's chain and reads its SPON. */
export async function connectWallet(provider: EIP1193Provider, target: DepositTarget): Promise<WalletState> {
  const { wallet } = clients(provider, target);
  const [address] = await wallet.requestAddresses();
  if (!address) throw new WalletError("The wallet shared no account: unlock it and try again.");
  await useEscrowChain(provider, target);
  return readWallet(provider, target, address);
}

async function sendAndConfirm(provider: EIP1193Provider, target: DepositTarget, send: () => Promise<Hash>): Promise<Hash> {
  await useEscrowChain(provider, target);
  const hash = await send();
  const receipt = await clients(provider, target).reader.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new WalletError(`The transaction ${hash} failed on the chain: nothing was moved.`);
  return hash;
}

/** Click 1: lets the escrow take exactly `amount` SPON from the wallet. */
export function approveDeposit(provider: EIP1193Provider, target: DepositTarget, address: Address, amount: bigint): Promise<Hash> {
  const { reader, wallet } = clients(provider, target);
  return sendAndConfirm(provider, target, async () => {
    // Simulated first, so a refusal names the contract's error before the wallet asks to sign.
    const { request } = await reader.simulateContract({ account: address, address: target.tokenAddress, abi: walletTokenAbi, functionName: "approve", args: [target.escrowAddress, amount] });
    return wallet.writeContract(request);
  });
}

/** A deposit can revert inside the token (allowance, balance): decode those errors too. */
const depositAbi = [...walletEscrowAbi, ...walletTokenAbi.filter((entry) => entry.type === "error")];

/** Click 2: moves `amount` SPON into the team's escrow account (its deposit reference). */
export function depositToEscrow(provider: EIP1193Provider, target: DepositTarget, address: Address, amount: bigint): Promise<Hash> {
  const { reader, wallet } = clients(provider, target);
  return sendAndConfirm(provider, target, async () => {
    const { request } = await reader.simulateContract({ account: address, address: target.escrowAddress, abi: depositAbi, functionName: "deposit", args: [target.depositRef, amount] });
    return wallet.writeContract(request);
  });
}

export type WalletStep = "approve" | "deposit" | "not-enough-spon" | "no-amount";

/** Which of the two clicks comes next for `amount`, given what the wallet holds and allows. */
export function nextWalletStep(state: Pick<WalletState, "sponBalance" | "allowance">, amount: bigint | null): WalletStep {
  if (amount === null || amount <= 0n) return "no-amount";
  if (state.sponBalance < amount) return "not-enough-spon";
  return state.allowance >= amount ? "deposit" : "approve";
}

/** What the contracts' errors mean for the person depositing. */
const CONTRACT_REFUSALS: Record<string, string> = {
  ERC20InsufficientAllowance: "The escrow may not take that much SPON yet: approve the amount first",
  ERC20InsufficientBalance: "Your wallet holds less SPON than that",
  ZeroAmount: "Deposit more than 0 SPON",
};

/** One sentence for a failed wallet call: declined, a contract's refusal (named), or viem's short reason. */
export function describeWalletError(error: unknown): string {
  if (error instanceof WalletError) return error.message;
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof UserRejectedRequestError || (e as { code?: number }).code === 4001)) return "You declined the request in your wallet: nothing was sent.";
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    const errorName = reverted?.data?.errorName;
    if (errorName) return `${CONTRACT_REFUSALS[errorName] ?? "The contract refused"} (${errorName}): nothing was sent.`;
    return error.shortMessage;
  }
  return error instanceof Error ? error.message : "The wallet failed.";
}
