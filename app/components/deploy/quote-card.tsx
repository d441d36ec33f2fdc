import { MODE_LABELS } from "#agents/blocks/workload-config";
import { Term } from "#app/components/ui/hint";
import { formatSpon, SPON_EXPLAINED, type SponUnit } from "#app/lib/spon";
import type { RouterOutputs } from "#app/lib/trpc";

type Quote = NonNullable<RouterOutputs["compile"]["preview"]["quote"]>;

/** An amount with its unit; hovering shows the exact figure. `data-exact` keeps it for machines. */
function Spon({ exact, unit, testId }: { exact: string; unit: SponUnit; testId?: string }) {
  return (
    <span title={`Exactly ${exact} ${unit === "SPON/h" ? "SPON per hour" : "SPON"}`} data-testid={testId} data-exact={exact}>
      {formatSpon(exact, unit)}
    </span>
  );
}

/** What the deployment costs: SPON per hour per workload and in total, and the escrow to lock. */
export function QuoteCard({ quote }: { quote: Quote }) {
  return (
    <section className="rounded-md border border-slate-200 p-3" aria-label="Quote" data-testid="deploy-quote">
      <h3 className="text-sm font-semibold text-slate-800">
        Quote in{" "}
        <Term tip={SPON_EXPLAINED} testId="spon-term">
          SPON
        </Term>
      </h3>
      <table className="mt-2 w-full text-xs">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="py-1 font-medium">Workload</th>
            <th className="py-1 font-medium">GPU</th>
            <th className="py-1 pl-2 text-right font-medium">Per hour</th>
            <th className="py-1 pl-2 text-right font-medium">
              <Term tip="SPON set aside up front to pay for the whole rental (price per hour × hours); what is not used comes back.">Escrow</Term>
            </th>
          </tr>
        </thead>
        <tbody>
          {quote.workloads.map((w) => (
            <tr key={w.node} className="border-t border-slate-100" data-testid="quote-workload">
              <td className="py-1 pr-1">
                <span className="font-medium text-slate-800">{w.name}</span>
                <span className="block whitespace-nowrap text-slate-500">
                  {MODE_LABELS[w.mode]}
                  {w.replicas > 1 ? ` · ${w.replicas} replicas` : ""} · {w.durationHours} h
                </span>
              </td>
              <td className="py-1 pr-1 text-slate-700">{w.gpu ?? "CPU only"}</td>
              <td className="py-1 pl-2 text-right tabular-nums">
                <Spon exact={w.perHour} unit="SPON/h" />
                {w.perHour !== w.estimatePerHour && <span className="block text-[10px] text-slate-500">estimate {formatSpon(w.estimatePerHour, "SPON/h")}</span>}
              </td>
              <td className="py-1 pl-2 text-right tabular-nums">
                <Spon exact={w.escrow} unit="SPON" />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot className="border-t border-slate-300 font-semibold text-slate-900">
          <tr>
            <td className="py-1" colSpan={2}>
              Total
            </td>
            <td className="py-1 pl-2 text-right tabular-nums">
              <Spon exact={quote.totalPerHour} unit="SPON/h" testId="quote-total" />
            </td>
            <td className="py-1 pl-2 text-right tabular-nums">
              <Spon exact={quote.escrow} unit="SPON" testId="quote-escrow" />
            </td>
          </tr>
        </tfoot>
      </table>
      <p className="mt-2 text-xs text-slate-600">
        {formatSpon(quote.totalPerHour, "SPON/h")} in all; the rentals need <strong>{formatSpon(quote.escrow)}</strong> set aside in escrow for their
        duration.
      </p>
      <p className="mt-1 text-[11px] text-slate-500">{quote.basis}</p>
    </section>
  );
}
