import { Link } from "@remix-run/react";
import type { EscrowView } from "#server/services/market-views";
import { Amount } from "./amount";

/**
 * What a billed endpoint or deployment costs as it runs (ADR 031): the escrow still held for its
 * lease, what the lease has streamed to its provider so far (rises by the second), and in all.
 * Nothing with billing off. The page refetches, so "spent so far" moves while it runs.
 */
export function LeaseEscrow({ escrow, testId = "lease-escrow" }: { escrow: EscrowView | null; testId?: string }) {
  if (!escrow) return null;
  const running = escrow.state === "leased";
  return (
    <section className="rounded-md border border-slate-200 px-3 py-2 text-sm" aria-label="Escrow" data-testid={testId}>
      <dl className="flex flex-wrap gap-x-6 gap-y-1">
        <div>
          <dt className="text-xs text-slate-500">Held in escrow</dt>
          <dd>
            <Amount value={escrow.held} testId={`${testId}-held`} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">{running ? "Spent so far" : "Spent by this lease"}</dt>
          <dd>
            <Amount value={escrow.spent} exact testId={`${testId}-spent`} />
            {running && escrow.price && <span className="ml-1 text-xs text-slate-500">at {escrow.price.sponPerHour} SPON/h, by the second</span>}
          </dd>
        </div>
        {escrow.totalSpent.wei !== escrow.spent.wei && (
          <div>
            <dt className="text-xs text-slate-500">Spent in all</dt>
            <dd>
              <Amount value={escrow.totalSpent} exact testId={`${testId}-total`} />
            </dd>
          </div>
        )}
      </dl>
      {/* The reason itself is the page's status message; here, where to act on it. */}
      {escrow.stopMessage && (
        <p className="mt-1 text-xs text-slate-700" data-testid={`${testId}-stopped`}>
          Billing stopped it.{" "}
          <Link to="/billing" className="text-brand-600 underline">
            Add funds on the Billing page
          </Link>
          , then start it again.
        </p>
      )}
    </section>
  );
}
