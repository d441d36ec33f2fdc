/**
 * Escrow events that take from a team's unlocked balance (Withdrawn, OrderLocked, Charged) when
 * the ledger has already moved part of it to metered or charging: the chain counts all three as
 * unlocked, so the posting takes from each in turn and always posts what the chain did.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseEther, type Hash } from "viem";
import { openDatabase, type DatabaseHandle } from "#db/client";
import { migrationsFolder } from "#db/root";
import { accountId } from "#server/billing/accounts";
import { postingForEscrowLog, type EscrowEvent, type EscrowLog } from "#server/billing/chain-postings";
import { createLedger, InsufficientFunds, type Ledger } from "#server/billing/ledger";
import { postUsage, sweepUsage } from "#server/billing/usage";
import { ChainError, type ChainClients } from "#server/chain/client";

const REF = `0x${"ab".repeat(32)}` as Hash;
const ORDER = `0x${"cd".repeat(32)}` as Hash;
const team = { teamId: "t1" };
const SPON = (n: string) => parseEther(n);

let dir: string;
let database: DatabaseHandle;
let ledger: Ledger;
let logIndex = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skyloom-postings-"));
  database = openDatabase(join(dir, "ledger.db"), migrationsFolder());
  ledger = createLedger(database.sqlite);
});
afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Posts one escrow event as the watcher does, with the ledger's balances at that moment. */
function postEvent(event: EscrowEvent, reserved = false) {
  logIndex += 1;
  const log = { ...event, transactionHash: `0x${"ee".repeat(32)}`, logIndex, blockNumber: 1n } as EscrowLog;
  const posting = postingForEscrowLog(31337, log, { holderFor: () => team, reservedInLedger: () => reserved, balanceOf: ledger.balanceOf });
  if (posting) ledger.post(posting);
  return posting;
}

const balances = () => ({
  available: ledger.balanceOf(accountId.available(team)),
  metered: ledger.balanceOf(accountId.metered(team)),
  charging: ledger.balanceOf(accountId.charging(team)),
});

/** 10 SPON deposited, 4 of them spent on /v1 (metered), 1 of those swept to charging. */
function teamWithMeteredUsage() {
  postEvent({ eventName: "Deposited", args: { account: REF, from: "0x01", amount: SPON("10") } });
  postUsage(ledger, { key: "usage:run-1", teamId: team.teamId, amountWei: SPON("4") });
  ledger.post({
    key: "sweep:batch-1",
    kind: "usage.sweep",
    teamId: team.teamId,
    lines: [
      { account: accountId.metered(team), amount: -SPON("1") },
      { account: accountId.charging(team), amount: SPON("1") },
    ],
  });
  expect(balances()).toEqual({ available: SPON("6"), metered: SPON("3"), charging: SPON("1") });
}

describe("escrow postings that take unlocked money", () => {
  it("a lock covered by available moves available → held, as before", () => {
    teamWithMeteredUsage();
    const posting = postEvent({ eventName: "OrderLocked", args: { orderId: ORDER, account: REF, amount: SPON("5") } });
    expect(posting?.lines).toEqual([
      { account: accountId.available(team), amount: -SPON("5") },
      { account: accountId.held(team), amount: SPON("5") },
    ]);
  });

  it("a lock past available takes the rest from metered, then charging", () => {
    teamWithMeteredUsage();
    postEvent({ eventName: "OrderLocked", args: { orderId: ORDER, account: REF, amount: SPON("9.5") } });
    expect(balances()).toEqual({ available: 0n, metered: 0n, charging: SPON("0.5") });
    expect(ledger.balanceOf(accountId.held(team))).toBe(SPON("9.5"));
    expect(ledger.audit()).toEqual([]);
  });

  it("a withdrawal past available takes the rest from metered", () => {
    teamWithMeteredUsage();
    postEvent({ eventName: "Withdrawn", args: { account: REF, to: "0x02", amount: SPON("7") } });
    expect(balances()).toEqual({ available: 0n, metered: SPON("2"), charging: SPON("1") });
    expect(ledger.balanceOf(accountId.chainEscrow())).toBe(-SPON("3"));
  });

  it("a charge takes from charging first, then metered, then available", () => {
    teamWithMeteredUsage();
    postEvent({ eventName: "Charged", args: { account: REF, ref: ORDER, amount: SPON("4.5") } });
    expect(balances()).toEqual({ available: SPON("5.5"), metered: 0n, charging: 0n });
    expect(ledger.balanceOf(accountId.platformRevenue())).toBe(SPON("4.5"));
  });

  it("more than the team's whole unlocked balance is refused on available, writing nothing", () => {
    teamWithMeteredUsage();
    expect(() => postEvent({ eventName: "Withdrawn", args: { account: REF, to: "0x02", amount: SPON("10.000000000000000001") } })).toThrow(InsufficientFunds);
    expect(() => postEvent({ eventName: "Withdrawn", args: { account: REF, to: "0x02", amount: SPON("11") } })).toThrow(/team:t1:available: balance 6000000000000000000 wei, needs 7000000000000000000 wei/);
    expect(balances()).toEqual({ available: SPON("6"), metered: SPON("3"), charging: SPON("1") });
  });

  it("a lock the host reserved in the ledger posts nothing", () => {
    teamWithMeteredUsage();
    expect(postEvent({ eventName: "OrderLocked", args: { orderId: ORDER, account: REF, amount: SPON("9") } }, true)).toBeNull();
  });
});

describe("a sweep the chain refuses", () => {
  it("gives back only what a confirmed lock left in charging", async () => {
    postEvent({ eventName: "Deposited", args: { account: REF, from: "0x01", amount: SPON("10") } });
    postUsage(ledger, { key: "usage:run-1", teamId: team.teamId, amountWei: SPON("4") });
    // The chain refuses the charge: a lock of 9 SPON was mined first, and is confirmed while the charge is on its way.
    const chain = {
      escrowTx: {
        charge: () => {
          postEvent({ eventName: "OrderLocked", args: { orderId: ORDER, account: REF, amount: SPON("9") } });
          return Promise.reject(new ChainError("charge reverted: InsufficientBalance"));
        },
      },
    } as unknown as ChainClients;
    await expect(sweepUsage(chain, ledger, database.sqlite, team.teamId)).rejects.toThrow(/InsufficientBalance/);
    expect(balances()).toEqual({ available: 0n, metered: SPON("1"), charging: 0n });
    expect(ledger.audit()).toEqual([]);
  });
});
