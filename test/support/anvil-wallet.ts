/**
 * A browser wallet for tests: an EIP-1193 `request` that forwards every call to an anvil node,
 * where the devnet's well-known accounts are unlocked (anvil signs their `eth_sendTransaction`
 * itself), so a test can "connect a wallet" and approve + deposit through the real contracts.
 * `eth_requestAccounts` answers with the one account the wallet holds, as a wallet would.
 */
import type { Address } from "viem";

export type RpcAnswer = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

let nextId = 1;

/** One JSON-RPC call to `rpcUrl`, answered as the result or the node's error (never thrown: it crosses into a page). */
export async function anvilRpc(rpcUrl: string, account: Address, call: { method: string; params?: unknown }): Promise<RpcAnswer> {
  if (call.method === "eth_requestAccounts" || call.method === "eth_accounts") return { result: [account] };
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method: call.method, params: call.params ?? [] }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  return body.error ? { error: body.error } : { result: body.result ?? null };
}

/** The provider object itself (for tests running viem in Node): rejects with the node's error, code included. */
export function anvilProvider(rpcUrl: string, account: Address, intercept?: (call: { method: string; params?: unknown }) => RpcAnswer | undefined) {
  return {
    async request(call: { method: string; params?: unknown }): Promise<unknown> {
      const answer = intercept?.(call) ?? (await anvilRpc(rpcUrl, account, call));
      if ("error" in answer) throw Object.assign(new Error(answer.error.message), answer.error);
      return answer.result;
    },
    on() {},
    removeListener() {},
  };
}

/** anvil's second well-known account (the first is the devnet's operator): unlocked, 10,000 ETH. */
export const ANVIL_WALLET_ACCOUNT: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
