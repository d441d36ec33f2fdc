/**
 * The escrow contract on a real anvil: every function, the per-second stream with time travel,
 * and the abuse cases (withdraw more than unlocked, close someone else's lease, settle twice,
 * a stranger closing a funded lease, reentrancy through a hostile token).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther, parseEventLogs, type Address } from "viem";
import { compile } from "#server/chain/build-contracts.mjs";
import { sponEscrowAbi, sponEscrowBytecode, sponTokenAbi } from "#server/chain/generated/contracts";
import { devnetAccount } from "#server/chain/devnet";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { id32, revertName, startTestChain, type TestChain } from "./support";

let t: TestChain;
const operator = devnetAccount(0);
const tenant = devnetAccount(1);
const provider = devnetAccount(2);
const stranger = devnetAccount(3);
const ONE_SPON_PER_HOUR = parseEther("1") / 3600n; // 277,777,777,777,777 wei/s

beforeAll(async () => {
  t = await startTestChain();
  await t.chain.tokenTx.mint(tenant.address, parseEther("1000"));
  await t.chain.tokenTx.approve(t.chain.walletFor(tenant), t.chain.addresses.escrow, parseEther("1000"));
});
afterAll(() => t?.stop());

const w = (a: typeof tenant) => t.chain.walletFor(a);
const unlocked = (account: `0x${string}`) => t.chain.escrow.read.unlockedBalance([account]);
const locked = (account: `0x${string}`) => t.chain.escrow.read.lockedBalance([account]);
async function lastTimestamp(): Promise<bigint> {
  return (await t.chain.public.getBlock()).timestamp;
}

describe("SponEscrow accounts", () => {
  it("deposit credits the referenced account and emits Deposited; zero and unapproved deposits revert", async () => {
    const account = id32("team-deposit");
    const receipt = await t.chain.escrowTx.deposit(w(tenant), account, parseEther("10"));
    const [log] = parseEventLogs({ abi: sponEscrowAbi, logs: receipt.logs, eventName: "Deposited" });
    expect(log?.args).toEqual({ account, from: tenant.address, amount: parseEther("10") });
    expect(await unlocked(account)).toBe(parseEther("10"));
    expect(await revertName(t.chain.escrowTx.deposit(w(tenant), account, 0n))).toBe("ZeroAmount");
    await t.chain.tokenTx.mint(stranger.address, parseEther("1"));
    expect(await revertName(t.chain.escrowTx.deposit(w(stranger), account, parseEther("1")))).toBe("ERC20InsufficientAllowance");
  });

  it("withdraw: only the operator, never more than unlocked", async () => {
    const account = id32("team-withdraw");
    await t.chain.escrowTx.deposit(w(tenant), account, parseEther("5"));
    expect(await revertName(t.chain.escrowTx.withdraw(account, stranger.address, parseEther("5.000000000000000001")))).toBe(
      "InsufficientBalance",
    );
    const escrow = t.chain.addresses.escrow;
    expect(await revertName(t.chain.write(w(stranger), escrow, sponEscrowAbi, "withdraw", [account, stranger.address, 1n]))).toBe(
      "OwnableUnauthorizedAccount",
    );
    const before = await t.chain.token.read.balanceOf([stranger.address]);
    await t.chain.escrowTx.withdraw(account, stranger.address, parseEther("2"));
    expect(await t.chain.token.read.balanceOf([stranger.address])).toBe(before + parseEther("2"));
    expect(await unlocked(account)).toBe(parseEther("3"));
  });

  it("charge moves unlocked funds to platform revenue, which only the operator withdraws", async () => {
    const account = id32("team-charge");
    await t.chain.escrowTx.deposit(w(tenant), account, parseEther("1"));
    const revenueBefore = await t.chain.escrow.read.platformRevenue();
    await t.chain.escrowTx.charge(account, id32("usage-batch-1"), 123n);
    expect(await unlocked(account)).toBe(parseEther("1") - 123n);
    expect(await t.chain.escrow.read.platformRevenue()).toBe(revenueBefore + 123n);
    expect(await revertName(t.chain.escrowTx.charge(account, id32("usage-batch-2"), parseEther("1")))).toBe("InsufficientBalance");
    await t.chain.escrowTx.withdrawRevenue(operator.address, 123n);
    expect(await revertName(t.chain.escrowTx.withdrawRevenue(operator.address, revenueBefore + 1n))).toBe("InsufficientBalance");
  });
});

describe("SponEscrow orders and leases", () => {
  it("locks for an order, refuses a second lock with the same id or more than unlocked, and unlocks", async () => {
    const account = id32("team-lock");
    await t.chain.escrowTx.deposit(w(tenant), account, parseEther("3"));
    await t.chain.escrowTx.lock(id32("order-a"), account, parseEther("2"));
    expect([await unlocked(account), await locked(account)]).toEqual([parseEther("1"), parseEther("2")]);
    expect(await revertName(t.chain.escrowTx.lock(id32("order-a"), account, 1n))).toBe("OrderExists");
    expect(await revertName(t.chain.escrowTx.lock(id32("order-b"), account, parseEther("2")))).toBe("InsufficientBalance");
    await t.chain.escrowTx.unlock(id32("order-a"));
    expect([await unlocked(account), await locked(account)]).toEqual([parseEther("3"), 0n]);
    expect(await revertName(t.chain.escrowTx.unlock(id32("order-a")))).toBe("WrongOrderState");
    expect(await revertName(t.chain.escrowTx.startLease(id32("order-a"), provider.address, 1n))).toBe("WrongOrderState");
  });

  it("streams 1 SPON/h by the second: an hour pays 0.9999999999999972 SPON, the rest is refunded at close", async () => {
    const account = id32("team-hour");
    const order = id32("order-hour");
    await t.chain.escrowTx.deposit(w(tenant), account, parseEther("1"));
    await t.chain.escrowTx.lock(order, account, parseEther("1"));
    await t.chain.escrowTx.startLease(order, provider.address, ONE_SPON_PER_HOUR);
    const started = await lastTimestamp();
    await t.test.setNextBlockTimestamp({ timestamp: started + 1800n });
    await t.test.mine({ blocks: 1 });
    expect(await t.chain.escrow.read.accrued([order])).toBe(1800n * ONE_SPON_PER_HOUR);

    await t.test.setNextBlockTimestamp({ timestamp: started + 3600n });
    const closed = await t.chain.escrowTx.close(order, w(provider));
    const [log] = parseEventLogs({ abi: sponEscrowAbi, logs: closed.logs, eventName: "LeaseClosed" });
    expect(log?.args.settled).toBe(999_999_999_999_997_200n);
    expect(log?.args.refunded).toBe(2_800n);
    expect(await t.chain.escrow.read.earnings([provider.address])).toBe(999_999_999_999_997_200n);
    expect([await unlocked(account), await locked(account)]).toEqual([2_800n, 0n]);
  });

  it("settle pays what accrued since the last settlement, to the second; settling again in the same block reverts", async () => {
    const account = id32("team-settle");
    const order = id32("order-settle");
    await t.chain.escrowTx.deposit(w(tenant), account, parseEther("1"));
    await t.chain.escrowTx.lock(order, account, parseEther("1"));
    await t.chain.escrowTx.startLease(order, provider.address, 1_000n);
    const started = await lastTimestamp();
    const earningsBefore = await t.chain.escrow.read.earnings([provider.address]);
    await t.test.increaseTime({ seconds: 10 });
    await t.test.mine({ blocks: 1 });
    const receipt = await t.chain.escrowTx.settle(order, w(stranger)); // anyone may settle
    const settledAt = (await t.chain.public.getBlock({ blockHash: receipt.blockHash })).timestamp;
    const [log] = parseEventLogs({ abi: sponEscrowAbi, logs: receipt.logs, eventName: "LeaseSettled" });
    expect(log?.args.amount).toBe((settledAt - started) * 1_000n);
    expect(await t.chain.escrow.read.earnings([provider.address])).toBe(earningsBefore + (settledAt - started) * 1_000n);
    // Against the block that settled it, nothing more has accrued.
    expect(await revertName(t.chain.escrowTx.settle(order))).toBe("NothingToSettle");
    await t.chain.escrowTx.close(order);
    expect(await revertName(t.chain.escrowTx.settle(order))).toBe("WrongOrderState");
    expect(await revertName(t.chain.escrowTx.close(order))).toBe("WrongOrderState");
  });

  it("a stranger cannot close a funded lease, but can once the lock cannot pay another second; accrual stops at the lock", async () => {
    const account = id32("team-exhaust");
    const order = id32("order-exhaust");
    await t.chain.escrowTx.deposit(w(tenant), account, 1_050n);
    await t.chain.escrowTx.lock(order, account, 1_050n);
    await t.chain.escrowTx.startLease(order, provider.address, 100n);
    expect(await revertName(t.chain.escrowTx.close(order, w(stranger)))).toBe("NotTenantOrProvider");
    await t.test.increaseTime({ seconds: 10 });
    await t.test.mine({ blocks: 1 });
    expect(await t.chain.escrow.read.exhausted([order])).toBe(true); // 1,050 − 1,000 < 100
    await t.test.increaseTime({ seconds: 1_000 });
    await t.test.mine({ blocks: 1 });
    expect(await t.chain.escrow.read.accrued([order])).toBe(1_050n);
    const earningsBefore = await t.chain.escrow.read.earnings([provider.address]);
    await t.chain.escrowTx.close(order, w(stranger));
    expect(await t.chain.escrow.read.earnings([provider.address])).toBe(earningsBefore + 1_050n);
    expect([await unlocked(account), await locked(account)]).toEqual([0n, 0n]);
  });

  it("settleMany pays several leases in one transaction and skips those with nothing due", async () => {
    const account = id32("team-batch");
    await t.chain.escrowTx.deposit(w(tenant), account, 3_000n);
    const ids = [id32("batch-1"), id32("batch-2"), id32("batch-3")];
    for (const order of ids) await t.chain.escrowTx.lock(order, account, 1_000n);
    await t.chain.escrowTx.startLease(ids[0]!, provider.address, 1n);
    await t.chain.escrowTx.startLease(ids[1]!, provider.address, 2n);
    await t.test.increaseTime({ seconds: 50 });
    await t.test.mine({ blocks: 1 });
    const receipt = await t.chain.escrowTx.settleMany([...ids, id32("no-such-order")]);
    const logs = parseEventLogs({ abi: sponEscrowAbi, logs: receipt.logs, eventName: "LeaseSettled" });
    expect(logs.map((l) => l.args.orderId)).toEqual([ids[0], ids[1]]);
  });
});

describe("operator-only functions and bad arguments", () => {
  it("refuses strangers on every operator function and on minting SPON, and zero rates or providers", async () => {
    const escrow = t.chain.addresses.escrow;
    const sw = w(stranger);
    const account = id32("team-guarded");
    await t.chain.escrowTx.deposit(w(tenant), account, 1_000n);
    // Thunks, sent one at a time: promises made all at once would reject before they are awaited
    // (an unhandled rejection for the test runner).
    const attempts = [
      () => t.chain.write(sw, escrow, sponEscrowAbi, "lock", [id32("g1"), account, 1n]),
      () => t.chain.write(sw, escrow, sponEscrowAbi, "charge", [account, id32("r"), 1n]),
      () => t.chain.write(sw, escrow, sponEscrowAbi, "withdrawRevenue", [stranger.address, 1n]),
      () => t.chain.write(sw, escrow, sponEscrowAbi, "unlock", [id32("g1")]),
      () => t.chain.write(sw, escrow, sponEscrowAbi, "startLease", [id32("g1"), stranger.address, 1n]),
      () => t.chain.write(sw, t.chain.addresses.token, sponTokenAbi, "mint", [stranger.address, 1n]),
    ];
    for (const attempt of attempts) expect(await revertName(attempt())).toBe("OwnableUnauthorizedAccount");
    await t.chain.escrowTx.lock(id32("g2"), account, 100n);
    expect(await revertName(t.chain.escrowTx.startLease(id32("g2"), provider.address, 0n))).toBe("ZeroRate");
    expect(await revertName(t.chain.escrowTx.startLease(id32("g2"), "0x0000000000000000000000000000000000000000", 1n))).toBe("ZeroAddress");
    expect(await revertName(t.chain.escrowTx.lock(id32("g3"), account, 0n))).toBe("ZeroAmount");
    expect(await revertName(t.chain.escrowTx.withdraw(account, "0x0000000000000000000000000000000000000000", 1n))).toBe("ZeroAddress");
  });
});

describe("SponEscrow providers", () => {
  it("withdrawEarnings: never more than earned, and only the provider's own", async () => {
    const earned = await t.chain.escrow.read.earnings([provider.address]);
    expect(earned).toBeGreaterThan(0n);
    expect(await revertName(t.chain.escrowTx.withdrawEarnings(w(provider), provider.address, earned + 1n))).toBe("InsufficientBalance");
    expect(await revertName(t.chain.escrowTx.withdrawEarnings(w(stranger), stranger.address, 1n))).toBe("InsufficientBalance");
    const before = await t.chain.token.read.balanceOf([provider.address]);
    await t.chain.escrowTx.withdrawEarnings(w(provider), provider.address, earned);
    expect(await t.chain.token.read.balanceOf([provider.address])).toBe(before + earned);
    expect(await t.chain.escrow.read.earningsWithdrawn([provider.address])).toBe(earned);
  });

  it("a hostile token re-entering withdrawEarnings is stopped by the reentrancy guard", async () => {
    const fixture = fileURLToPath(new URL("../../fixtures/contracts/ReentrantToken.sol", import.meta.url));
    const { contracts } = compile({ "contracts/ReentrantToken.sol": { content: readFileSync(fixture, "utf8") } });
    const hostile = contracts.ReentrantToken!;
    const wallet = t.chain.operator;
    const deployed = async (hash: `0x${string}`): Promise<Address> => (await t.chain.public.waitForTransactionReceipt({ hash })).contractAddress!;
    const tokenAddress = await deployed(await wallet.deployContract({ abi: hostile.abi, bytecode: hostile.bytecode }));
    const escrowAddress = await deployed(
      await wallet.deployContract({ abi: sponEscrowAbi, bytecode: sponEscrowBytecode, args: [tokenAddress, operator.address] }),
    );
    // The hostile ABI plus the escrow's errors, so the revert inside the callback decodes by name.
    const abi = [...hostile.abi, ...sponEscrowAbi.filter((item) => item.type === "error")] as never;
    await t.chain.write(wallet, tokenAddress, abi, "setEscrow" as never, [escrowAddress] as never);
    await t.chain.write(wallet, tokenAddress, abi, "approve" as never, [escrowAddress, 10_000n] as never);
    const account = id32("victim");
    const order = id32("order-hostile");
    await t.chain.write(wallet, escrowAddress, sponEscrowAbi, "deposit", [account, 10_000n]);
    await t.chain.write(wallet, escrowAddress, sponEscrowAbi, "lock", [order, account, 10_000n]);
    // The hostile token is the provider, so its callback withdraws "its own" earnings again.
    await t.chain.write(wallet, escrowAddress, sponEscrowAbi, "startLease", [order, tokenAddress, 100n]);
    await t.test.increaseTime({ seconds: 60 });
    await t.test.mine({ blocks: 1 });
    await t.chain.write(wallet, escrowAddress, sponEscrowAbi, "settle", [order]);
    expect(await revertName(t.chain.write(wallet, tokenAddress, abi, "attack" as never, [1_000n] as never))).toBe(
      "ReentrancyGuardReentrantCall",
    );
  }, 60_000); // compiling the hostile token loads solc
});
