/**
 * `npm run reconcile`: exit 0 when the ledger equals the escrow, exit 1 with one line per
 * account that differs — against the running host's devnet, and against a devnet it starts
 * itself when no host runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { accountId } from "#server/billing/accounts";
import { startChainBilling } from "#server/billing/chain-billing";
import { runReconcile } from "#server/billing/reconcile-command";
import { loadChainConfig } from "#server/chain/config";
import { loadConfig } from "#server/env";

const dir = mkdtempSync(join(tmpdir(), "skyloom-reconcile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function reconcileOutput() {
  let out = "";
  let err = "";
  const code = await runReconcile({ DATA_DIR: dir }, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe("npm run reconcile", () => {
  it("agrees after a credited deposit, and reports a tampered ledger account by account with exit 1", async () => {
    const config = loadConfig({ DATA_DIR: dir });
    const database = openDatabase(config.databasePath, migrationsFolder());
    const billing = await startChainBilling({ config: loadChainConfig({}), dataDir: dir, sqlite: database.sqlite });
    try {
      await billing.getTestSpon("team-r", parseEther("20"));
      await expect.poll(() => billing.balances("team-r").available, { timeout: 15_000, interval: 50 }).toBe(parseEther("20"));
      const agree = await reconcileOutput();
      expect(agree).toMatchObject({ code: 0, err: "" });
      expect(agree.out).toMatch(/agree to the wei at block \d+ \(chain 31337/);

      // A posting no chain event backs: money the escrow does not hold.
      billing.ledger.post({
        key: "forged",
        kind: "deposit",
        lines: [
          { account: accountId.available({ teamId: "team-r" }), amount: 1n },
          { account: accountId.chainEscrow(), amount: -1n },
        ],
      });
      const differ = await reconcileOutput();
      expect(differ.code).toBe(1);
      expect(differ.err).toContain("team team-r: unlocked (available + metered + charging): ledger 20.000000000000000001 SPON, chain 20 SPON (difference 1 wei)");
      expect(differ.err).toContain("SPON held by the escrow");
    } finally {
      await billing.stop();
      database.close();
    }
    // No host runs now: the command starts the devnet from its state file itself.
    const alone = await reconcileOutput();
    expect(alone.code).toBe(1);
    expect(alone.err).toContain("difference 1 wei");
  }, 90_000);
});
