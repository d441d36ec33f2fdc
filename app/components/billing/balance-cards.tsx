import type { ReactNode } from "react";
import type { RouterOutputs } from "#app/lib/trpc";
import { Term } from "../ui/hint";
import { Amount } from "./amount";

type Summary = RouterOutputs["billing"]["summary"];

/** The team's money at a glance: what it can spend, what running leases hold, what this month cost. */
export function BalanceCards({ summary }: { summary: Summary }) {
  const chain = summary.chain;
  return (
    <section aria-labelledby="balance-heading" className="space-y-2">
      <h2 id="balance-heading" className="sr-only">
        Balance
      </h2>
      <dl className="grid gap-4 sm:grid-cols-3">
        <Card label="Available" testId="balance-available" hint="SPON the team can spend now: API calls and new deployments draw on it.">
          <Amount value={summary.available} />
        </Card>
        <Card label="Held for running leases" testId="balance-held" hint="Escrow set aside for deployments that are running; what a lease does not use comes back when it stops.">
          <Amount value={summary.held} />
        </Card>
        <Card label="Spent this month" testId="balance-spent" hint="API usage and lease time since the first of the month (UTC).">
          <Amount value={summary.spentThisMonth} />
        </Card>
      </dl>
      <p className="text-xs text-slate-500" data-testid="chain-status">
        {chain === null ? (
          "Billing on a chain is off on this Skyloom: nothing is charged."
        ) : (
          <>
            {chain.devnet ? "Embedded devnet" : "Chain"} {chain.chainId} ·{" "}
            {chain.watcherBehindBlocks > chain.confirmations ? `deposits are being read (${chain.watcherBehindBlocks} blocks behind)` : "deposits up to date"}
            {BigInt(summary.metered.wei) > 0n && (
              <>
                {" "}
                ·{" "}
                <Term tip="API usage already taken from Available, to be charged on the chain in the next batch.">metered</Term>{" "}
                <Amount value={summary.metered} />
              </>
            )}
          </>
        )}
      </p>
    </section>
  );
}

function Card({ label, hint, testId, children }: { label: string; hint: string; testId: string; children: ReactNode }) {
  return (
    <div className="rounded-md border border-slate-200 bg-white p-4" data-testid={testId}>
      <dt className="text-sm text-slate-600">
        <Term tip={hint}>{label}</Term>
      </dt>
      <dd className="mt-1 text-2xl font-semibold">{children}</dd>
    </div>
  );
}
