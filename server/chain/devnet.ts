/**
 * The embedded EVM devnet: anvil from `@foundry-rs/anvil` (its binary ships in a registry
 * package), started as a child process on a random loopback port with its chain kept in
 * `<dataDir>/chain/anvil-state.json` across restarts, and SPON + the escrow deployed once
 * (addresses remembered in `<dataDir>/chain/devnet.json`). Spawned directly rather than through
 * a wrapper: it is ready in ~200 ms and stops on SIGTERM in milliseconds (stack.md P4, P15).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import type { Address } from "viem";
import { createChainClients, deployContracts, type ChainClients, type ContractAddresses } from "./client";

/** anvil's well-known development mnemonic: its accounts hold 10,000 ETH each on a fresh devnet. */
export const DEVNET_MNEMONIC = "test test test test test test test test test test test junk";
export const DEVNET_CHAIN_ID = 31337;

/** Account `index` of the devnet mnemonic. Index 0 is the operator: it deploys and owns both contracts. */
export function devnetAccount(index: number): HDAccount {
  return mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: index });
}

const PLATFORM_PACKAGES: Record<string, string> = {
  "linux-x64": "@foundry-rs/anvil-linux-amd64",
  "linux-arm64": "@foundry-rs/anvil-linux-arm64",
  "darwin-x64": "@foundry-rs/anvil-darwin-amd64",
  "darwin-arm64": "@foundry-rs/anvil-darwin-arm64",
  "win32-x64": "@foundry-rs/anvil-win32-amd64",
};

/** The anvil binary npm installed for this platform. */
export function anvilBinaryPath(): string {
  const pkg = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (!pkg) throw new Error(`anvil has no build for ${process.platform}-${process.arch}; set CHAIN_RPC_URL to an EVM node instead.`);
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(`${pkg} is not installed (it comes with @foundry-rs/anvil): run npm install.`);
  }
  return join(dirname(pkgJson), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
}

export type AnvilProcess = {
  rpcUrl: string;
  port: number;
  /** SIGTERM (anvil then writes its state file) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, for tests (the state file keeps only what was last written). */
  kill(): Promise<void>;
  child: ChildProcess;
};

export type AnvilOptions = {
  /** File the chain is loaded from and written to (on exit and every `stateIntervalSeconds`). */
  statePath?: string;
  stateIntervalSeconds?: number;
  chainId?: number;
  startTimeoutMs?: number;
  /**
   * Mine an empty block every this many seconds, besides a block per transaction (anvil's
   * interval and mixed mining): confirmations count on an idle devnet, at no cost to the host.
   */
  blockTimeSeconds?: number;
};

/** Starts anvil on 127.0.0.1 with a port the OS picks, and resolves once it answers eth_chainId. */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilProcess> {
  const args = ["--host", "127.0.0.1", "--port", "0", "--chain-id", String(options.chainId ?? DEVNET_CHAIN_ID)];
  if (options.statePath) {
    mkdirSync(dirname(options.statePath), { recursive: true });
    args.push("--state", options.statePath, "--state-interval", String(options.stateIntervalSeconds ?? 2));
  }
  if (options.blockTimeSeconds) args.push("--block-time", String(options.blockTimeSeconds), "--mixed-mining");
  const [command, commandArgs] = withParentDeathSignal(anvilBinaryPath(), args);
  const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`anvil did not start within ${options.startTimeoutMs ?? 15_000} ms:\n${out}`)), options.startTimeoutMs ?? 15_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`anvil exited (code ${code}) before it was ready:\n${out}`)));
  });
  // anvil logs every RPC call: keep draining the pipes so it never blocks on a full one.
  child.stdout!.removeAllListeners("data");
  child.stdout!.resume();
  child.stderr!.resume();
  const rpcUrl = `http://127.0.0.1:${port}`;
  await waitForRpc(rpcUrl, options.startTimeoutMs ?? 15_000);
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    await exited;
  };
  return { rpcUrl, port, child, stop: () => signal("SIGTERM"), kill: () => signal("SIGKILL") };
}

/** util-linux's setpriv: in Debian's base system and most Linux distributions. */
const SETPRIV = "/usr/bin/setpriv";

/**
 * On Linux, anvil runs under `setpriv --pdeathsig SIGTERM`, so when its host dies, even by
 * SIGKILL, it gets the SIGTERM a clean stop would send: it writes its state and exits instead
 * of living on as an orphan (benches and browser tests on temporary folders never restart the
 * host that would stop it). Elsewhere it is spawned directly and `stopLeftoverAnvil` remains
 * the only cleanup.
 */
function withParentDeathSignal(binary: string, args: string[]): [string, string[]] {
  if (process.platform !== "linux" || !existsSync(SETPRIV)) return [binary, args];
  return [SETPRIV, ["--pdeathsig", "SIGTERM", "--", binary, ...args]];
}

/** Polls eth_chainId until the node answers. */
export async function waitForRpc(rpcUrl: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      const body = (await res.json()) as { result?: string };
      if (body.result) return Number(body.result);
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${rpcUrl} did not answer eth_chainId within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export type Devnet = {
  anvil: AnvilProcess;
  clients: ChainClients;
  addresses: ContractAddresses;
  stop(): Promise<void>;
};

/**
 * A host killed with SIGKILL can leave its anvil running where `withParentDeathSignal` is not
 * available (or while its SIGTERM is still being handled), holding the newest chain in memory. The pid file names both: when the host is gone and the
 * process is still an anvil on this data folder's state file, the next start stops it with
 * SIGTERM so it writes that state before the new anvil loads it — a crash of the host loses no
 * block. When that host is still alive, two hosts share one data folder: refuse.
 */
async function stopLeftoverAnvil(pidFile: string, statePath: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const [anvilPid, hostPid] = readFileSync(pidFile, "utf8").trim().split(/\s+/).map(Number);
  const alive = (pid: number | undefined) => {
    if (!pid || !Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "EPERM";
    }
  };
  if (hostPid !== process.pid && alive(hostPid)) {
    throw new Error(`Another Skyloom host (pid ${hostPid}) runs the devnet in ${dirname(pidFile)}: stop it, or give this one its own DATA_DIR.`);
  }
  rmSync(pidFile, { force: true });
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${anvilPid}/cmdline`, "utf8");
  } catch {
    return; // gone, or not Linux: nothing to stop
  }
  if (!cmdline.includes("anvil") || !cmdline.includes(statePath)) return;
  process.kill(anvilPid!, "SIGTERM");
  const deadline = Date.now() + 10_000;
  while (existsSync(`/proc/${anvilPid}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

type DevnetFile = { chainId: number; token: Address; escrow: Address };

/**
 * The devnet a running host started in `dataDir`, for tools beside it (reconciliation): its
 * RPC URL and contracts, or null when no host runs it.
 */
export function runningDevnet(dataDir: string): { rpcUrl: string; addresses: ContractAddresses } | null {
  const dir = join(dataDir, "chain");
  try {
    const [, hostPid] = readFileSync(join(dir, "anvil.pid"), "utf8").trim().split(/\s+/).map(Number);
    process.kill(hostPid!, 0);
    const file = JSON.parse(readFileSync(join(dir, "devnet.json"), "utf8")) as DevnetFile;
    return { rpcUrl: readFileSync(join(dir, "anvil.url"), "utf8").trim(), addresses: { token: file.token, escrow: file.escrow } };
  } catch {
    return null;
  }
}

/**
 * Starts the devnet under `<dataDir>/chain/`, deploying the contracts on the first start (or
 * when the remembered addresses hold no code, e.g. the state file was deleted).
 */
export async function startDevnet(dataDir: string, options: { blockEveryMs?: number } = {}): Promise<Devnet> {
  const dir = join(dataDir, "chain");
  const statePath = join(dir, "anvil-state.json");
  await stopLeftoverAnvil(join(dir, "anvil.pid"), statePath);
  // anvil mines a block per transaction and, by default, none in between, so on an idle devnet a
  // deposit's confirmations would never count up. An empty block every second (anvil's own timer:
  // the host's request per block cost it ~2 ms of CPU each) makes them count as on a real chain,
  // while transactions still confirm at once.
  const blockEveryMs = options.blockEveryMs ?? 1_000;
  const anvil = await startAnvil({ statePath, blockTimeSeconds: blockEveryMs > 0 ? blockEveryMs / 1000 : undefined });
  writeFileSync(join(dir, "anvil.pid"), `${anvil.child.pid} ${process.pid}`);
  writeFileSync(join(dir, "anvil.url"), anvil.rpcUrl);
  anvil.child.once("exit", () => {
    rmSync(join(dir, "anvil.pid"), { force: true });
    rmSync(join(dir, "anvil.url"), { force: true });
  });
  try {
    const operator = devnetAccount(0);
    const addressesFile = join(dir, "devnet.json");
    const remembered = existsSync(addressesFile) ? (JSON.parse(readFileSync(addressesFile, "utf8")) as DevnetFile) : undefined;
    let addresses: ContractAddresses | undefined;
    if (remembered) {
      const probe = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: DEVNET_CHAIN_ID, operator, addresses: remembered });
      const [tokenCode, escrowCode] = await Promise.all([
        probe.public.getCode({ address: remembered.token }),
        probe.public.getCode({ address: remembered.escrow }),
      ]);
      if (tokenCode && tokenCode !== "0x" && escrowCode && escrowCode !== "0x") addresses = { token: remembered.token, escrow: remembered.escrow };
    }
    if (!addresses) {
      addresses = await deployContracts({ rpcUrl: anvil.rpcUrl, chainId: DEVNET_CHAIN_ID, operator });
      mkdirSync(dir, { recursive: true });
      writeFileSync(addressesFile, JSON.stringify({ chainId: DEVNET_CHAIN_ID, ...addresses } satisfies DevnetFile, null, 2));
    }
    const clients = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: DEVNET_CHAIN_ID, operator, addresses });
    return { anvil, clients, addresses, stop: () => anvil.stop() };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
