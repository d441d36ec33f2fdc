/**
 * The embedded devnet: anvil from the npm package on a random loopback port, contracts deployed
 * once, and the chain (balances, addresses) kept in the data folder across a stop and start.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { devnetAccount, startDevnet } from "#server/chain/devnet";
import { id32 } from "./support";

const dataDir = mkdtempSync(join(tmpdir(), "skyloom-devnet-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("embedded devnet", () => {
  it("deploys once, keeps its chain across a restart, stops on SIGTERM, and mints empty blocks so confirmations count", async () => {
    const first = await startDevnet(dataDir, { blockEveryMs: 50 });
    const tenant = devnetAccount(1);
    const account = id32("persisted-team");
    try {
      expect(first.anvil.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await first.clients.tokenTx.mint(tenant.address, parseEther("3"));
      const wallet = first.clients.walletFor(tenant);
      await first.clients.tokenTx.approve(wallet, first.addresses.escrow, parseEther("3"));
      await first.clients.escrowTx.deposit(wallet, account, parseEther("3"));
      const block = await first.clients.public.getBlockNumber();
      await expect.poll(() => first.clients.public.getBlockNumber(), { timeout: 10_000 }).toBeGreaterThan(block + 1n);
    } finally {
      const started = performance.now();
      await first.stop();
      expect(first.anvil.child.exitCode !== null || first.anvil.child.signalCode !== null).toBe(true);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
    expect(existsSync(join(dataDir, "chain", "anvil-state.json"))).toBe(true);

    const second = await startDevnet(dataDir, { blockEveryMs: 0 });
    try {
      expect(second.addresses).toEqual(first.addresses);
      expect(await second.clients.escrow.read.unlockedBalance([account])).toBe(parseEther("3"));
      expect(await second.clients.token.read.balanceOf([second.addresses.escrow])).toBe(parseEther("3"));
    } finally {
      await second.stop();
    }
  }, 60_000);

  it("after a host crash, the next start stops the anvil left running and keeps every block it had", async () => {
    const crashed = await startDevnet(dataDir, { blockEveryMs: 0 });
    const account = id32("after-crash");
    const tenant = devnetAccount(1);
    await crashed.clients.tokenTx.mint(tenant.address, 5n);
    await crashed.clients.tokenTx.approve(crashed.clients.walletFor(tenant), crashed.addresses.escrow, 5n);
    await crashed.clients.escrowTx.deposit(crashed.clients.walletFor(tenant), account, 5n);
    const height = await crashed.clients.public.getBlockNumber();
    // No stop(): the host "died" (here: the pid file names a host pid that no longer exists).
    // Its anvil is still running; the next start must take over.
    const pidFile = join(dataDir, "chain", "anvil.pid");
    const deadHost = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeFileSync(pidFile, `${crashed.anvil.child.pid} ${deadHost}`);
    const next = await startDevnet(dataDir, { blockEveryMs: 0 });
    try {
      expect(crashed.anvil.child.exitCode !== null || crashed.anvil.child.signalCode !== null).toBe(true);
      expect(await next.clients.public.getBlockNumber()).toBeGreaterThanOrEqual(height);
      expect(await next.clients.escrow.read.unlockedBalance([account])).toBe(5n);
    } finally {
      await next.stop();
    }
  }, 60_000);

  it("a host killed with SIGKILL takes its anvil with it: the chain is written, no orphan keeps running", async () => {
    const dir = mkdtempSync(join(tmpdir(), "skyloom-devnet-orphan-"));
    const root = join(import.meta.dirname, "..", "..", "..");
    const script = `import { startDevnet } from ${JSON.stringify(join(root, "server/chain/devnet.ts"))};
      const devnet = await startDevnet(${JSON.stringify(dir)}, { blockEveryMs: 0 });
      console.log("anvil " + devnet.anvil.child.pid);
      setInterval(() => {}, 1000);`;
    const host = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    try {
      const anvilPid = await new Promise<number>((resolve, reject) => {
        let out = "";
        host.stdout!.on("data", (c: Buffer) => {
          out += c.toString();
          const m = /anvil (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        host.once("exit", (code) => reject(new Error(`the host exited (${code}) before its devnet started: ${out}`)));
      });
      expect(existsSync(`/proc/${anvilPid}`)).toBe(true);
      host.kill("SIGKILL");
      await expect.poll(() => existsSync(`/proc/${anvilPid}`), { timeout: 15_000, interval: 50 }).toBe(false);
      expect(existsSync(join(dir, "chain", "anvil-state.json"))).toBe(true);
    } finally {
      host.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses to start when a live host already runs the devnet in this data folder", async () => {
    const running = await startDevnet(dataDir, { blockEveryMs: 0 });
    const pidFile = join(dataDir, "chain", "anvil.pid");
    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    try {
      writeFileSync(pidFile, `${running.anvil.child.pid} ${other.pid}`);
      await expect(startDevnet(dataDir, { blockEveryMs: 0 })).rejects.toThrow(/Another Skyloom host \(pid \d+\) runs the devnet/);
      expect(running.anvil.child.exitCode).toBeNull();
      expect(await running.clients.public.getChainId()).toBe(31337);
    } finally {
      other.kill();
      await running.stop();
    }
  }, 60_000);
});
