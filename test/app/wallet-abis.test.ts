import { describe, expect, it } from "vitest";
import { walletEscrowAbi, walletTokenAbi } from "#app/lib/chain/wallet-abis";
import { sponEscrowAbi, sponTokenAbi } from "#server/chain/generated/contracts";

type Entry = { type: string; name?: string };

/** The generated entry of the same kind and name, or undefined when the contract has none. */
const generated = (abi: readonly Entry[], entry: Entry) => abi.find((e) => e.type === entry.type && e.name === entry.name);

describe("the browser's copy of the contract ABIs", () => {
  it.each([
    ["SponToken", walletTokenAbi, sponTokenAbi],
    ["SponEscrow", walletEscrowAbi, sponEscrowAbi],
  ] as const)("equals the compiled %s entry for entry", (_name, copy, compiled) => {
    expect(copy.length).toBeGreaterThan(0);
    for (const entry of copy) {
      expect(generated(compiled, entry), `${entry.type} ${entry.name}`).toEqual(entry);
    }
  });

  it("holds what the wallet deposit calls", () => {
    const names = (abi: readonly Entry[]) => abi.map((e) => `${e.type}:${e.name}`);
    expect(names(walletTokenAbi)).toEqual(expect.arrayContaining(["function:approve", "function:allowance", "function:balanceOf"]));
    expect(names(walletEscrowAbi)).toEqual(expect.arrayContaining(["function:deposit", "event:Deposited"]));
  });
});
