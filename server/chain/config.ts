/**
 * Which chain Skyloom bills on. Unset, it is the embedded devnet (anvil, started by the host,
 * state under <DATA_DIR>/chain/). Set CHAIN_RPC_URL with the contract addresses and the
 * operator key to use Base or any EVM chain. Kept beside the chain code rather than in
 * server/env.ts so the chain slice merges on its own (ADR 025); errors name the variable the
 * same way (ConfigError).
 */
import { isAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { ConfigError, type EnvSource } from "#server/env";

export const CHAIN_ENV_VARIABLES = {
  CHAIN_RPC_URL: { schema: z.url({ protocol: /^https?$/ }), description: "JSON-RPC URL of the EVM chain (default: the embedded anvil devnet)." },
  CHAIN_ID: { schema: z.coerce.number().int().min(1), description: "Chain id; checked against the node at start (Base: 8453)." },
  SPON_TOKEN_ADDRESS: { schema: z.string().refine((v) => isAddress(v), "must be a 0x address"), description: "SPON token contract (required with CHAIN_RPC_URL)." },
  ESCROW_ADDRESS: { schema: z.string().refine((v) => isAddress(v), "must be a 0x address"), description: "SponEscrow contract (required with CHAIN_RPC_URL)." },
  CHAIN_OPERATOR_KEY: {
    schema: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte private key"),
    secret: true,
    description: "Private key of the escrow's operator (its owner), required with CHAIN_RPC_URL.",
  },
  CHAIN_CONFIRMATIONS: { schema: z.coerce.number().int().min(1).max(10_000), description: "Confirmations before a deposit is credited (default: 2 on the devnet, 10 otherwise)." },
  CHAIN_START_BLOCK: { schema: z.coerce.number().int().min(0), description: "Block the watcher starts from on a fresh database: the escrow's deployment block (default 0)." },
  CHAIN_POLL_MS: { schema: z.coerce.number().int().min(10).max(600_000), description: "How often the watcher reads the chain, in ms (default: 250 on the devnet, 2000 otherwise)." },
} as const;

type ChainVar = keyof typeof CHAIN_ENV_VARIABLES;

export type ChainConfig =
  | { kind: "devnet"; confirmations: number; pollMs: number }
  | {
      kind: "external";
      rpcUrl: string;
      chainId: number | undefined;
      addresses: { token: Address; escrow: Address };
      operatorKey: Hex;
      confirmations: number;
      startBlock: bigint;
      pollMs: number;
    };

function read<N extends ChainVar>(env: EnvSource, name: N): z.output<(typeof CHAIN_ENV_VARIABLES)[N]["schema"]> | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const spec = CHAIN_ENV_VARIABLES[name];
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const got = "secret" in spec ? "" : ` (got ${JSON.stringify(raw)})`;
    throw new ConfigError(name, `${parsed.error.issues[0]?.message ?? "is invalid"}${got}.`);
  }
  return parsed.data as never;
}

export function loadChainConfig(env: EnvSource = process.env): ChainConfig {
  const rpcUrl = read(env, "CHAIN_RPC_URL");
  if (!rpcUrl) {
    for (const name of ["SPON_TOKEN_ADDRESS", "ESCROW_ADDRESS", "CHAIN_OPERATOR_KEY"] as const) {
      if (env[name]) throw new ConfigError(name, "is set but CHAIN_RPC_URL is not: set CHAIN_RPC_URL too, or unset it to use the embedded devnet.");
    }
    return { kind: "devnet", confirmations: read(env, "CHAIN_CONFIRMATIONS") ?? 2, pollMs: read(env, "CHAIN_POLL_MS") ?? 250 };
  }
  const required = <N extends "SPON_TOKEN_ADDRESS" | "ESCROW_ADDRESS" | "CHAIN_OPERATOR_KEY">(name: N) => {
    const value = read(env, name);
    if (value === undefined) throw new ConfigError(name, "is required when CHAIN_RPC_URL is set.");
    return value;
  };
  return {
    kind: "external",
    rpcUrl,
    chainId: read(env, "CHAIN_ID"),
    addresses: { token: required("SPON_TOKEN_ADDRESS") as Address, escrow: required("ESCROW_ADDRESS") as Address },
    operatorKey: required("CHAIN_OPERATOR_KEY") as Hex,
    confirmations: read(env, "CHAIN_CONFIRMATIONS") ?? 10,
    startBlock: BigInt(read(env, "CHAIN_START_BLOCK") ?? 0),
    pollMs: read(env, "CHAIN_POLL_MS") ?? 2_000,
  };
}
