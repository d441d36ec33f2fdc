import type { RouterOutputs } from "#app/lib/trpc";

type Quote = NonNullable<RouterOutputs["compile"]["preview"]["quote"]>;

/** What the deployment costs: SPON per hour per workload and in total, and the escrow to lock. */
export function QuoteCard({ quote }: { quote: Quote }) {
  return (
    <section className="rounded-md border border-slate-200 p-3" aria-label="Quote" data-testid="deploy-quote">
      <h3 className="text-sm font-semibold text-slate-800">Quote</h3>
      <table className="mt-2 w-full text-xs">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="py-1 font-medium">Workload</th>
            <th className="py-1 font-medium">GPU</th>
            <th className="py-1 pl-2 text-right font-medium">SPON/h</th>
            <th className="py-1 pl-2 text-right font-medium">Escrow</th>
          </tr>
        </thead>
        <tbody>
          {quote.workloads.map((w) => (
            <tr key={w.node} className="border-t border-slate-100" data-testid="quote-workload">
              <td className="py-1 pr-1">
                <span className="font-medium text-slate-800">{w.name}</span>
                <span className="block whitespace-nowrap text-slate-500">
                  {w.mode}
                  {w.replicas > 1 ? ` · ${w.replicas} replicas` : ""} · {w.durationHours} h
                </span>
              </td>
              <td className="py-1 pr-1 text-slate-700">{w.gpu ?? "CPU only"}</td>
              <td className="py-1 pl-2 text-right tabular-nums" title={`Estimate ${w.estimatePerHour} SPON/h`}>
                {w.perHour}
              </td>
              <td className="py-1 pl-2 text-right tabular-nums">{w.escrow}</td>
            </tr>
          ))}
        </tbody>
        <tfoot className="border-t border-slate-300 font-semibold text-slate-900">
          <tr>
            <td className="py-1" colSpan={2}>
              Total
            </td>
            <td className="py-1 pl-2 text-right tabular-nums" data-testid="quote-total">
              {quote.totalPerHour}
            </td>
            <td className="py-1 pl-2 text-right tabular-nums" data-testid="quote-escrow">
              {quote.escrow}
            </td>
          </tr>
        </tfoot>
      </table>
      <p className="mt-2 text-xs text-slate-600">
        {quote.totalPerHour} SPON per hour; the leases need <strong>{quote.escrow} SPON</strong> in escrow for their duration.
      </p>
      <p className="mt-1 text-[11px] text-slate-500">{quote.basis}</p>
    </section>
  );
}
