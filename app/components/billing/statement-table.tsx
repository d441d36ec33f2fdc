import { useInfiniteQuery } from "@tanstack/react-query";
import { Download } from "lucide-react";
import { useTRPC } from "#app/lib/trpc";
import { Button } from "../ui/button";
import { Amount } from "./amount";

const PAGE = 50;
const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

/** Every change of the team's available balance, newest first, with the balance after it; all of it as CSV. */
export function StatementTable() {
  const trpc = useTRPC();
  const statement = useInfiniteQuery(
    trpc.billing.statement.infiniteQueryOptions({ limit: PAGE }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const entries = statement.data?.pages.flatMap((p) => p.entries) ?? [];

  return (
    <section aria-labelledby="statement-heading" className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="statement-heading" className="font-semibold">
          Statement
        </h2>
        {/* A plain link: the browser downloads the file with the session cookie. */}
        <a href="/api/billing/statement.csv" download className="inline-flex items-center gap-1 text-sm text-brand-600 underline" data-testid="statement-csv">
          <Download size={14} aria-hidden /> Export CSV
        </a>
      </div>
      {statement.error ? (
        <p role="alert" className="text-sm text-red-700">
          {statement.error.message}
        </p>
      ) : !statement.data ? (
        <p className="text-sm text-slate-500">Loading the statement…</p>
      ) : entries.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="statement-empty">
          No entries yet: deposits, usage and lease holds appear here.
        </p>
      ) : (
        <table className="w-full text-left text-sm" data-testid="statement-table">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">Date (UTC)</th>
              <th>Description</th>
              <th className="text-right">Amount</th>
              <th className="text-right">Balance after</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} className="border-t border-slate-200 align-top" data-testid="statement-row" data-kind={e.kind}>
                <td className="whitespace-nowrap py-1.5 text-xs">{when.format(new Date(e.date))}</td>
                <td className="break-words">{e.description}</td>
                <td className={`text-right ${BigInt(e.amount.wei) < 0n ? "text-red-700" : "text-emerald-700"}`}>
                  {BigInt(e.amount.wei) > 0n ? "+" : ""}
                  <Amount value={e.amount} exact />
                </td>
                <td className="text-right">
                  <Amount value={e.balanceAfter} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {statement.hasNextPage && (
        <Button variant="secondary" busy={statement.isFetchingNextPage} onClick={() => void statement.fetchNextPage()}>
          Show older entries
        </Button>
      )}
    </section>
  );
}
