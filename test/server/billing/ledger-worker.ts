/**
 * A separate process posting to a shared ledger file, for the concurrency tests in
 * ledger.test.ts: `node --import tsx ledger-worker.ts <db> <mode> <worker>`. Prints a JSON summary.
 */
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { accountId } from "#server/billing/accounts";
import { createLedger, InsufficientFunds } from "#server/billing/ledger";

const [path, mode, worker] = process.argv.slice(2) as [string, string, string];
const database = openDatabase(path, migrationsFolder());
const ledger = createLedger(database.sqlite);
const team = { teamId: "race" };
let posted = 0;
let duplicates = 0;
let refused = 0;
for (let i = 0; i < 200; i += 1) {
  if (mode === "same-keys") {
    const r = ledger.post({
      key: `deposit-${i}`,
      kind: "deposit",
      lines: [
        { account: accountId.available(team), amount: 1_000_000_000_000_000_000_000n + BigInt(i) },
        { account: accountId.chainEscrow(), amount: -(1_000_000_000_000_000_000_000n + BigInt(i)) },
      ],
    });
    if (r.duplicate) duplicates += 1;
    else posted += 1;
  } else {
    try {
      ledger.post({
        key: `spend-${worker}-${i}`,
        kind: "usage",
        lines: [
          { account: accountId.available(team), amount: -1n },
          { account: accountId.metered(team), amount: 1n },
        ],
      });
      posted += 1;
    } catch (error) {
      if (!(error instanceof InsufficientFunds)) throw error;
      refused += 1;
    }
  }
}
database.close();
console.log(JSON.stringify({ posted, duplicates, refused }));
