import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTRPC, type RouterOutputs } from "#app/lib/trpc";
import { Amount } from "./amount";

type Deposit = RouterOutputs["billing"]["deposits"][number];

/** While a deposit is pending (or just sent and not seen yet), the list asks again this often. */
const POLL_MS = 1_000;

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** Which deposits must still be watched: pending ones, and sent ones the chain watcher has not listed yet. */
export function stillWatching(deposits: readonly Pick<Deposit, "txHash" | "status">[], sent: readonly string[]): boolean {
  const listed = new Map(deposits.map((d) => [d.txHash.toLowerCase(), d.status]));
  return deposits.some((d) => d.status === "pending") || sent.some((hash) => listed.get(hash.toLowerCase()) !== "credited");
}

/**
 * The team's deposits with their transaction hashes: pending ones count their confirmations
 * (polled) until credited. `onCredited` fires when one turns credited, so the balance follows.
 */
export function DepositList({ sent, onCredited }: { sent: readonly string[]; onCredited: () => void }) {
  const trpc = useTRPC();
  const deposits = useQuery({
    ...trpc.billing.deposits.queryOptions({ limit: 50 }),
    refetchInterval: (query) => (stillWatching(query.state.data ?? [], sent) ? POLL_MS : false),
  });
  const credited = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (!deposits.data) return;
    const now = new Set(deposits.data.filter((d) => d.status === "credited").map((d) => d.txHash));
    const before = credited.current;
    credited.current = now;
    if (before && [...now].some((hash) => !before.has(hash))) onCredited();
  }, [deposits.data, onCredited]);

  return (
    <section aria-labelledby="deposits-heading" className="space-y-2">
      <h2 id="deposits-heading" className="font-semibold">
        Deposits
      </h2>
      {deposits.error ? (
        <p role="alert" className="text-sm text-red-700">
          {deposits.error.message}
        </p>
      ) : !deposits.data ? (
        <p className="text-sm text-slate-500">Loading deposits…</p>
      ) : deposits.data.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="no-deposits">
          No deposits yet.
        </p>
      ) : (
        <table className="w-full text-left text-sm" data-testid="deposit-table">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">Transaction</th>
              <th>Amount</th>
              <th>Status</th>
              <th>Block</th>
              <th>When (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {deposits.data.map((d) => (
              <tr key={d.txHash} className="border-t border-slate-200" data-testid="deposit-row" data-tx={d.txHash}>
                <td className="py-1.5 font-mono text-xs">
                  <span title={d.txHash}>
                    {d.txHash.slice(0, 10)}…{d.txHash.slice(-6)}
                  </span>
                </td>
                <td>
                  <Amount value={d.amount} />
                </td>
                <td data-testid="deposit-status">
                  {d.status === "credited" ? (
                    <span className="rounded bg-emerald-100 px-1.5 py-0.5 text-xs text-emerald-800">Credited</span>
                  ) : (
                    <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">
                      Pending · {Math.min(d.confirmations, d.required)} of {d.required} confirmations
                    </span>
                  )}
                </td>
                <td className="text-xs tabular-nums">{d.blockNumber}</td>
                <td className="text-xs">{when.format(new Date(d.at))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {/* Announces each change of a watched deposit to screen readers, once. */}
      <p role="status" className="sr-only">
        {deposits.data?.some((d) => d.status === "pending") ? "A deposit is pending." : ""}
      </p>
    </section>
  );
}
