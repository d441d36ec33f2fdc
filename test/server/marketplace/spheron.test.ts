import dns from "node:dns";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FetchRequest, Interface, Transaction, Wallet, verifyMessage } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "#db/root";
import { createMarketplaceFromEnv } from "#server/marketplace/from-env";
import type { DeploymentRef } from "#server/marketplace/marketplace";
import type { SpheronMarketplace } from "#server/marketplace/spheron/spheron-marketplace";
import { deploymentFromFlow, endpointFlow } from "./support";

/**
 * The spheron marketplace at its boundary: the real `@spheron/protocol-sdk` 1.3.5 builds and
 * signs real transactions and provider-proxy requests. Nothing leaves this machine: DNS for any
 * host but localhost is refused (the SDK tries Alchemy's Base Sepolia host at once: recorded),
 * ethers' HTTP transport is pointed at a JSON-RPC answered in this process, and the provider
 * proxy is a server on 127.0.0.1. Base Sepolia, providers and the proxy were NOT reached: these
 * tests show what the SDK sends for our deployments and how its answers are read, nothing more.
 */
const KEY = `0x${"11".repeat(32)}`;
const wallet = new Wallet(KEY);
const sdkBundle = readFileSync(join(projectRoot(), "node_modules/@spheron/protocol-sdk/dist/esm/index.js"), "utf8");
/** The SDK's own ABIs (not exported), read from its bundle so decoding uses exactly what it encodes with. */
function sdkAbi(name: string): Interface {
  const start = sdkBundle.indexOf(`var ${name} = [`);
  const end = sdkBundle.indexOf("\n];", start);
  return new Interface(new Function(`return ${sdkBundle.slice(start + `var ${name} = `.length, end + 2)}`)() as never);
}
const ABI = { lease: sdkAbi("ComputeLeaseAbi"), order: sdkAbi("OrderRequestAbi"), escrow: sdkAbi("EscrowAbi"), registry: sdkAbi("ProviderRegistryAbi") };
const ADDRESS = { lease: "0x9C0a16a41d2b0fFc14e6f20Da1368b1FD93bD7e5", order: "0x1fdf629E5A90eE4FAab1336a23c41A0Cab8CbA9d", escrow: "0x3854Be113E7B1C7fD8CF4805dF6c7f30d1FA1bC6", registry: "0x7fDE3748e8AE27CaF506A47601acAf3B6AEaC34f" };
const PROVIDER = "0x00000000000000000000000000000000000000AA";

type Sent = { to: string; from: string; fn: string; args: unknown[] };
const sent: Sent[] = [];
const calls: { to: string; fn: string }[] = [];
const lookups: string[] = [];
const rpcErrors: string[] = [];
const proxied: { certificate: string; authToken: string; method: string; url: string }[] = [];
let leaseState = 0;
let proxy: Server;
let market: SpheronMarketplace;
const originalLookup = dns.lookup;

function contractFor(to: string): Interface | null {
  const entry = Object.entries(ADDRESS).find(([, a]) => a.toLowerCase() === to.toLowerCase());
  return entry ? ABI[entry[0] as keyof typeof ABI] : null;
}

/** A Base Sepolia node's answers, just enough for the SDK's calls and transactions. */
function rpc(method: string, params: unknown[]): unknown {
  const block = { number: "0x10", hash: `0x${"ab".repeat(32)}`, parentHash: `0x${"cd".repeat(32)}`, timestamp: "0x6759a000", nonce: "0x0000000000000000", difficulty: "0x0", gasLimit: "0x1c9c380", gasUsed: "0x0", miner: PROVIDER, extraData: "0x", baseFeePerGas: "0x1", transactions: [] };
  switch (method) {
    case "eth_chainId": return "0x14a34";
    case "net_version": return "84532";
    case "eth_blockNumber": return "0x10";
    case "eth_getBlockByNumber": return block;
    case "eth_maxPriorityFeePerGas": case "eth_gasPrice": return "0x1";
    case "eth_getTransactionCount": return `0x${sent.length.toString(16)}`;
    case "eth_estimateGas": return "0x30000";
    case "eth_sendRawTransaction": {
      const tx = Transaction.from(params[0] as string);
      const parsed = contractFor(tx.to ?? "")?.parseTransaction({ data: tx.data });
      sent.push({ to: tx.to ?? "", from: tx.from ?? "", fn: parsed?.name ?? tx.data.slice(0, 10), args: parsed ? [...parsed.args] : [] });
      return tx.hash;
    }
    case "eth_getTransactionReceipt": case "eth_getTransactionByHash": {
      const hash = params[0] as string;
      return { transactionHash: hash, hash, blockHash: block.hash, blockNumber: "0x10", transactionIndex: "0x0", index: "0x0", from: wallet.address, to: ADDRESS.lease, cumulativeGasUsed: "0x5208", gasUsed: "0x5208", effectiveGasPrice: "0x1", gasPrice: "0x1", logs: [], logsBloom: `0x${"00".repeat(256)}`, status: "0x1", type: "0x2", contractAddress: null, nonce: "0x0", gas: "0x30000", value: "0x0", input: "0x", chainId: "0x14a34", v: "0x0", r: `0x${"01".repeat(32)}`, s: `0x${"01".repeat(32)}` };
    }
    case "eth_call": {
      const { to, data } = params[0] as { to: string; data: string };
      const contract = contractFor(to);
      const fn = contract?.parseTransaction({ data });
      calls.push({ to, fn: fn?.name ?? data.slice(0, 10) });
      if (!contract || !fn) throw new Error(`no such contract call ${to} ${data.slice(0, 10)}`);
      if (fn.name === "getUserData") return contract.encodeFunctionResult(fn.fragment, [[0n, 10n ** 30n]]);
      if (fn.name === "leases") return contract.encodeFunctionResult(fn.fragment, [fn.args[0], 0n, 7n, 1234n, PROVIDER, wallet.address, 100n, 1_764_000_000n, 1_764_014_400n, leaseState]);
      if (fn.name === "getProviderByAddress") return contract.encodeFunctionResult(fn.fragment, ["region:us-east", "provider.example", "-----CERT-----", [], 2n, 1n, 1_764_000_000n, PROVIDER]);
      throw new Error(`the fake node does not answer ${fn.name}`);
    }
    default: throw new Error(`the fake node does not answer ${method}`);
  }
}

beforeAll(async () => {
  // Every lookup of a host that is not this machine fails before a packet is sent.
  dns.lookup = ((host: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === "function" ? options : callback) as (error: Error | null, ...rest: unknown[]) => void;
    lookups.push(host);
    if (host === "localhost" || host === "127.0.0.1") return (originalLookup as (...a: unknown[]) => void)(host, typeof options === "function" ? {} : options, cb);
    process.nextTick(() => cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host} (blocked by the test)`), { code: "ENOTFOUND" })));
  }) as typeof dns.lookup;
  FetchRequest.registerGetUrl(async (req) => {
    const body = JSON.parse(new TextDecoder().decode(req.body ?? new Uint8Array())) as { id: number; method: string; params: unknown[] } | { id: number; method: string; params: unknown[] }[];
    const answer = (one: { id: number; method: string; params: unknown[] }) => {
      try {
        return { jsonrpc: "2.0", id: one.id, result: rpc(one.method, one.params) };
      } catch (error) {
        rpcErrors.push(`${one.method}: ${(error as Error).message}`);
        return { jsonrpc: "2.0", id: one.id, error: { code: -32000, message: (error as Error).message } };
      }
    };
    const result = Array.isArray(body) ? body.map(answer) : answer(body);
    return { statusCode: 200, statusMessage: "OK", headers: { "content-type": "application/json" }, body: new TextEncoder().encode(JSON.stringify(result)) };
  });
  proxy = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      const body = JSON.parse(text) as (typeof proxied)[number];
      proxied.push(body);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body.url.includes("/logs") ? ["[llm] loading weights", "[llm] serving"] : { services: { llm: { name: "llm", available: 1, total: 1, ready_replicas: 1, uris: [] } }, forwarded_ports: { llm: [{ host: "provider.example", port: 8000, externalPort: 31234, proto: "TCP" }] } }));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const dataDir = mkdtempSync(join(tmpdir(), "skyloom-spheron-"));
  market = (await createMarketplaceFromEnv(
    { MARKETPLACE: "spheron", SPHERON_PRIVATE_KEY: KEY, SPHERON_PROVIDER_PROXY_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, MARKETPLACE_POLL_MS: "50" },
    { local: () => { throw new Error("not the local one"); }, dataDir },
  )) as unknown as SpheronMarketplace;
});

afterAll(async () => {
  dns.lookup = originalLookup;
  FetchRequest.registerGetUrl(FetchRequest.createGetUrlFunc());
  await new Promise((resolve) => proxy?.close(resolve));
});

describe("spheron marketplace (SDK 1.3.5, nothing reached but 127.0.0.1)", () => {
  let ref: DeploymentRef;

  it("the SDK reaches for its hard-wired Alchemy host at once; the lookup is refused and the host does not crash", () => {
    expect(lookups).toContain("base-sepolia.g.alchemy.com");
  });

  it("Deploy: the SDK checks the escrow, then signs OrderRequest.createOrder with the ICL's price, duration and mode", async () => {
    const input = deploymentFromFlow(endpointFlow({ gpu: "rtx4090", tier: "community-default" }));
    const status = await market.createDeployment(input);
    ref = { teamId: "team-a", deploymentId: status.id };
    expect(status).toMatchObject({ status: "ordering", lease: null });
    await expect.poll(async () => sent.find((t) => t.fn === "createOrder") ?? [rpcErrors, (await market.status(ref)).message], { timeout: 10_000 }).toMatchObject({ fn: "createOrder" });
    expect(calls.find((c) => c.fn === "getUserData")?.to.toLowerCase()).toBe(ADDRESS.escrow.toLowerCase());
    const order = sent.find((t) => t.fn === "createOrder")!;
    expect(order.to).toBe(ADDRESS.order);
    expect(order.from).toBe(wallet.address);
    const details = order.args[0] as { maxPrice: bigint; numOfBlocks: bigint; token: string; spec: string; mode: bigint; tier: bigint[] };
    // The flow's 4 hours at Base's 2-second blocks; provider mode (1); the GPU and regions in the compressed spec.
    expect(details.numOfBlocks).toBe(7200n);
    expect(details.mode).toBe(1n);
    expect(details.tier.length).toBeGreaterThan(0);
    expect(details.spec).toContain("vendor/nvidia/model/rtx4090");
    expect(details.spec).toContain("us-central;us-east;us-west");
    expect(details.maxPrice).toBeGreaterThan(0n);
    // The OrderMatched event arrives over the SDK's WebSocket, which cannot be reached here.
  });

  it("a lease's status is read from ComputeLease.leases and the provider's lease status through the proxy, signed", async () => {
    // What a matched order leaves behind: a lease id in the state file (the WebSocket could not deliver it here).
    (market as unknown as { records: { update(id: string, c: object): void } }).records.update(ref.deploymentId, { leaseId: "42", state: "leased" });
    const status = await market.status(ref);
    expect(calls.filter((c) => c.fn === "leases").at(-1)?.to.toLowerCase()).toBe(ADDRESS.lease.toLowerCase());
    expect(status).toMatchObject({ status: "ready", lease: { id: "42", nodeId: PROVIDER, priceWeiPerSecond: 1234n, services: [{ name: "llm", state: "ready", uri: "http://provider.example:31234/v1" }] } });
    const request = proxied.at(-1)!;
    expect(request).toMatchObject({ method: "GET", url: "https://provider.example:8443/lease/42/1/1/status", certificate: "-----CERT-----" });
    const token = JSON.parse(Buffer.from(request.authToken, "base64").toString()) as { pub_key: string; timestamp: number; signed_timestamp: string };
    // personal_sign of the timestamp sentence, with v − 27 (spheron-and-akash.md §2)
    const hex = token.signed_timestamp.replace(/^0x/, "");
    const signature = `0x${hex.slice(0, 128)}${(parseInt(hex.slice(128), 16) + 27).toString(16)}`;
    expect(verifyMessage(`Sending Request to Provider at: ${token.timestamp}`, signature)).toBe(wallet.address);
    await expect(market.endpoint(ref, { timeoutMs: 1000 })).resolves.toMatchObject({ baseUrl: "http://provider.example:31234/v1", model: "Qwen/Qwen2.5-7B-Instruct" });
    await expect(market.status({ teamId: "team-b", deploymentId: ref.deploymentId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("logs come through the proxy's /ws-data", async () => {
    expect((await market.logs(ref)).map((l) => l.line)).toEqual(["[llm] loading weights", "[llm] serving"]);
    expect(proxied.at(-1)?.url).toMatch(/^https:\/\/provider\.example:8443\/lease\/42\/1\/1\/logs\?follow=false&tail=500/);
  });

  it("Stop signs ComputeLease.closeLease(leaseId) from the tenant's wallet", async () => {
    const before = sent.length;
    leaseState = 1;
    expect((await market.close(ref)).status).toBe("closed");
    expect(sent.slice(before)).toEqual([{ to: ADDRESS.lease, from: wallet.address, fn: "closeLease", args: [42n] }]);
    await market.close(ref);
    expect(sent.length).toBe(before + 1);
  });

  it("sleep is refused in words; no lookup ever left for a host other than Alchemy's and localhost", async () => {
    await expect(market.sleep(ref)).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/cannot sleep/) });
    expect([...new Set(lookups)].filter((h) => h !== "localhost" && h !== "127.0.0.1")).toEqual(["base-sepolia.g.alchemy.com"]);
  });
});
