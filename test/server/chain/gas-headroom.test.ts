/**
 * A chain write's gas limit covers the dearer path the block's time may take. Found by
 * random-flows-kill9.test.ts: a close estimated in the second its lease was just settled has
 * nothing due, and mined a second later it settles (more storage writes); sent with the bare
 * estimate it ran out of gas and reverted. On a real chain time always passes between the
 * estimate and the block; here a proxy in front of anvil moves the clock one second forward
 * before each transaction is sent, so every close lands in that case.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { createChainClients, gasWithHeadroom } from "#server/chain/client";
import { devnetAccount } from "#server/chain/devnet";
import { id32, startTestChain, type TestChain } from "./support";

let t: TestChain;
let proxy: Server;
const tenant = devnetAccount(1);
const provider = devnetAccount(2);
const account = id32("gas-headroom-team");

/** JSON-RPC to anvil, with one second passing just before every transaction is sent. */
async function startSlowBlockProxy(rpcUrl: string): Promise<string> {
  const rpc = (body: string) => fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
  proxy = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", async () => {
      if (body.includes('"eth_sendRawTransaction"')) await rpc(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "evm_increaseTime", params: [1] }));
      const answer = await rpc(body);
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(await answer.text());
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  t = await startTestChain();
  await t.chain.tokenTx.mint(tenant.address, parseEther("100"));
  await t.chain.tokenTx.approve(t.chain.walletFor(tenant), t.chain.addresses.escrow, parseEther("100"));
  await t.chain.escrowTx.deposit(t.chain.walletFor(tenant), account, parseEther("100"));
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await t?.stop();
});

describe("gas for time-dependent escrow calls", () => {
  it("sends more than the estimate, enough for a settlement the estimate did not see", () => {
    expect(gasWithHeadroom(50_000n)).toBe(125_000n);
    expect(gasWithHeadroom(0n)).toBe(50_000n);
  });

  it("closes a lease estimated in the second of its settlement and mined a second later", async () => {
    const c = t.chain;
    const slow = createChainClients({ rpcUrl: await startSlowBlockProxy(t.anvil.rpcUrl), chainId: c.chain.id, operator: devnetAccount(0), addresses: c.addresses });
    for (let i = 0; i < 3; i += 1) {
      const order = id32(`settled-then-closed-${i}`);
      await c.escrowTx.lock(order, account, parseEther("1"));
      await c.escrowTx.startLease(order, provider.address, 1000n);
      await t.test.increaseTime({ seconds: 5 });
      await t.test.mine({ blocks: 1 });
      await c.escrowTx.settle(order);
      const receipt = await slow.escrowTx.close(order);
      expect(receipt.status).toBe("success");
      expect(await c.escrow.read.earnings([provider.address])).toBeGreaterThan(0n);
    }
  }, 60_000);
});
