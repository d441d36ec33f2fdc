/**
 * The browser wallet path (app/lib/chain/wallet-deposit.ts) against a real anvil with SPON and
 * the escrow deployed: a wallet connects, approves, deposits, and the escrow holds the SPON in
 * the team's account. The wallet is anvil's unlocked account behind an EIP-1193 `request`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EIP1193Provider, Hash } from "viem";
import { approveDeposit, connectWallet, depositToEscrow, describeWalletError, nextWalletStep, type DepositTarget } from "#app/lib/chain/wallet-deposit";
import { WEI_PER_SPON } from "#app/lib/spon-amount";
import { ANVIL_WALLET_ACCOUNT, anvilProvider, type RpcAnswer } from "../support/anvil-wallet";
import { id32, startTestChain, type TestChain } from "../server/chain/support";

let chain: TestChain;
let target: DepositTarget;

beforeAll(async () => {
  chain = await startTestChain();
  target = {
    chainId: chain.chain.chain.id,
    rpcUrl: chain.anvil.rpcUrl,
    tokenAddress: chain.chain.addresses.token,
    escrowAddress: chain.chain.addresses.escrow,
    depositRef: id32("team-wallet-test"),
  };
  await chain.chain.tokenTx.mint(ANVIL_WALLET_ACCOUNT, 100n * WEI_PER_SPON);
}, 60_000);

afterAll(async () => {
  await chain?.stop();
});

const wallet = (intercept?: Parameters<typeof anvilProvider>[2]) => anvilProvider(chain.anvil.rpcUrl, ANVIL_WALLET_ACCOUNT, intercept) as unknown as EIP1193Provider;

describe("depositing from a browser wallet", () => {
  it("connects, approves, deposits: the escrow holds the SPON in the team's account", async () => {
    const amount = 25n * WEI_PER_SPON;
    const connected = await connectWallet(wallet(), target);
    expect(connected).toEqual({ address: ANVIL_WALLET_ACCOUNT, sponBalance: 100n * WEI_PER_SPON, allowance: 0n });
    expect(nextWalletStep(connected, amount)).toBe("approve");

    await approveDeposit(wallet(), target, connected.address, amount);
    const approved = await connectWallet(wallet(), target);
    expect(approved.allowance).toBe(amount);
    expect(nextWalletStep(approved, amount)).toBe("deposit");

    const hash = await depositToEscrow(wallet(), target, connected.address, amount);
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await chain.chain.escrow.read.unlockedBalance([target.depositRef])).toBe(amount);
    const after = await connectWallet(wallet(), target);
    expect(after).toMatchObject({ sponBalance: 75n * WEI_PER_SPON, allowance: 0n });
  });

  it("switches a wallet on another chain to the escrow's, adding the chain when the wallet does not know it", async () => {
    let walletChain = "0x2105"; // Base
    const asked: string[] = [];
    const provider = wallet((call) => {
      if (call.method === "eth_chainId") return { result: walletChain };
      if (call.method === "wallet_switchEthereumChain") {
        asked.push(call.method);
        return asked.includes("wallet_addEthereumChain") ? ((walletChain = "0x7a69"), { result: null }) : { error: { code: 4902, message: "Unrecognized chain" } };
      }
      if (call.method === "wallet_addEthereumChain") {
        asked.push(call.method);
        walletChain = "0x7a69";
        return { result: null };
      }
      return undefined;
    });
    const connected = await connectWallet(provider, target);
    expect(asked).toEqual(["wallet_switchEthereumChain", "wallet_addEthereumChain"]);
    expect(connected.address).toBe(ANVIL_WALLET_ACCOUNT);
  });

  it("says so when the person declines in the wallet, and nothing moves", async () => {
    await approveDeposit(wallet(), target, ANVIL_WALLET_ACCOUNT, WEI_PER_SPON);
    const before = await chain.chain.escrow.read.unlockedBalance([target.depositRef]);
    const declined = wallet((call): RpcAnswer | undefined =>
      call.method === "eth_sendTransaction" ? { error: { code: 4001, message: "User rejected the request." } } : undefined,
    );
    const failure = await depositToEscrow(declined, target, ANVIL_WALLET_ACCOUNT, WEI_PER_SPON).then(
      () => "deposited",
      (e: unknown) => describeWalletError(e),
    );
    expect(failure).toBe("You declined the request in your wallet: nothing was sent.");
    expect(await chain.chain.escrow.read.unlockedBalance([target.depositRef])).toBe(before);
  });

  it("refuses to deposit more than was approved or held, saying what to do, before the wallet signs", async () => {
    const sent: string[] = [];
    const watched = wallet((call) => void (call.method === "eth_sendTransaction" && sent.push(call.method)));
    const failure = await depositToEscrow(watched, target, ANVIL_WALLET_ACCOUNT, 2n * WEI_PER_SPON).then(
      (hash: Hash) => `deposited ${hash}`,
      (e: unknown) => describeWalletError(e),
    );
    expect(failure).toBe("The escrow may not take that much SPON yet: approve the amount first (ERC20InsufficientAllowance): nothing was sent.");
    await approveDeposit(wallet(), target, ANVIL_WALLET_ACCOUNT, 1000n * WEI_PER_SPON);
    sent.length = 0;
    const tooMuch = await depositToEscrow(watched, target, ANVIL_WALLET_ACCOUNT, 1000n * WEI_PER_SPON).catch((e: unknown) => describeWalletError(e));
    expect(tooMuch).toBe("Your wallet holds less SPON than that (ERC20InsufficientBalance): nothing was sent.");
    expect(sent).toEqual([]);
  });

  it("picks the next click from balance and allowance", () => {
    expect(nextWalletStep({ sponBalance: 5n, allowance: 0n }, null)).toBe("no-amount");
    expect(nextWalletStep({ sponBalance: 5n, allowance: 0n }, 0n)).toBe("no-amount");
    expect(nextWalletStep({ sponBalance: 5n, allowance: 0n }, 6n)).toBe("not-enough-spon");
    expect(nextWalletStep({ sponBalance: 5n, allowance: 4n }, 5n)).toBe("approve");
    expect(nextWalletStep({ sponBalance: 5n, allowance: 5n }, 5n)).toBe("deposit");
  });
});
