import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { FormError } from "../ui/field";
import { Amount } from "./amount";

type Settled = RouterOutputs["billing"]["settleEarnings"];

/**
 * What the team's provider nodes earned from leases: earned, paid out on-chain, and pending.
 * Earnings settle on-chain in batches on a schedule; "Settle now" sends one batch at once.
 */
export function Earnings({ canSettle }: { canSettle: boolean }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const earnings = useQuery(trpc.billing.earnings.queryOptions());
  const [settled, setSettled] = useState<Settled | null>(null);
  const settle = useAction(async () => {
    setSettled(await client.billing.settleEarnings.mutate());
    await queryClient.invalidateQueries({ queryKey: trpc.billing.earnings.queryKey() });
  });

  return (
    <section aria-labelledby="earnings-heading" className="space-y-2" data-testid="earnings">
      <h2 id="earnings-heading" className="font-semibold">
        Provider earnings
      </h2>
      {earnings.error ? (
        <p role="alert" className="text-sm text-red-700">
          {earnings.error.message}
        </p>
      ) : !earnings.data ? (
        <p className="text-sm text-slate-500">Loading earnings…</p>
      ) : earnings.data.providers.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="no-earnings">
          Your team runs no provider nodes. Nodes you register in the marketplace earn SPON for the leases they serve; it shows here.
        </p>
      ) : (
        <>
          <dl className="flex flex-wrap gap-6 text-sm">
            <div>
              <dt className="text-slate-600">Earned</dt>
              <dd className="font-semibold">
                <Amount value={earnings.data.earned} testId="earnings-earned" />
              </dd>
            </div>
            <div>
              <dt className="text-slate-600">Paid out</dt>
              <dd className="font-semibold">
                <Amount value={earnings.data.paid} testId="earnings-paid" />
              </dd>
            </div>
            <div>
              <dt className="text-slate-600">Pending settlement</dt>
              <dd className="font-semibold">
                <Amount value={earnings.data.pending} testId="earnings-pending" />
              </dd>
            </div>
          </dl>
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-1">Node</th>
                <th>Payout address</th>
                <th className="text-right">Earned</th>
                <th className="text-right">Paid</th>
                <th className="text-right">Pending</th>
              </tr>
            </thead>
            <tbody>
              {earnings.data.providers.map((p) => (
                <tr key={p.address} className="border-t border-slate-200">
                  <td className="py-1.5">{p.label}</td>
                  <td className="text-xs">
                    <span className="font-mono">{p.address}</span>
                    {p.derivedAddress && <span className="block text-slate-500">payout to derived address (start the node with --payout-address to use your own)</span>}
                  </td>
                  <td className="text-right">
                    <Amount value={p.earned} />
                  </td>
                  <td className="text-right">
                    <Amount value={p.paid} />
                  </td>
                  <td className="text-right">
                    <Amount value={p.pending} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {canSettle && (
            <Button variant="secondary" busy={settle.busy} onClick={() => void settle.run()} disabled={BigInt(earnings.data.pending.wei) === 0n}>
              Settle now
            </Button>
          )}
          {settled && (
            <p role="status" className="text-sm text-slate-700">
              {settled.leases === 0 ? (
                "Nothing was due: every lease is settled."
              ) : (
                <>
                  Settled <Amount value={settled.amount} /> from {settled.leases} lease{settled.leases === 1 ? "" : "s"} in transaction{" "}
                  <span className="font-mono text-xs">{settled.txHash}</span>.
                </>
              )}
            </p>
          )}
          <FormError message={settle.error?.message} />
        </>
      )}
    </section>
  );
}
