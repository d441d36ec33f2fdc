import { formatSpon } from "#app/lib/spon";
import type { BidRow } from "#server/services/market-views";

/** The current order's answers: who bid what (cheapest first), who won, who declined and why. */
export function BidsTable({ bids }: { bids: readonly BidRow[] }) {
  if (bids.length === 0) return <p className="text-xs text-slate-500">No bids yet.</p>;
  return (
    <table className="w-full text-xs" data-testid="bids-table">
      <caption className="mb-1 text-left text-sm font-semibold text-slate-800">Bids</caption>
      <thead className="text-left text-slate-500">
        <tr>
          <th scope="col" className="py-1 font-medium">Node</th>
          <th scope="col" className="py-1 font-medium">Region</th>
          <th scope="col" className="py-1 font-medium">Tier</th>
          <th scope="col" className="py-1 font-medium">GPU</th>
          <th scope="col" className="py-1 text-right font-medium">Price/h</th>
        </tr>
      </thead>
      <tbody>
        {bids.map((b) => (
          <tr
            key={b.nodeId}
            className={`border-t border-slate-100 ${b.won ? "bg-emerald-50" : ""} ${b.declined ? "text-slate-400" : ""}`}
            data-testid="bid-row"
            data-won={b.won || undefined}
          >
            <td className="py-1 pr-1">
              <span className={b.declined ? "" : "font-medium text-slate-800"}>{b.nodeName}</span>
              {b.won && <span className="ml-1 rounded bg-emerald-600 px-1 text-[10px] font-semibold text-white">won</span>}
              {b.declined && <span className="block text-[11px]">declined: {b.declined}</span>}
            </td>
            <td className="py-1 pr-1">{b.region ?? "—"}</td>
            <td className="py-1 pr-1">{b.tier ?? "—"}</td>
            <td className="py-1 pr-1">{b.gpuModel ?? (b.declined ? "—" : "CPU")}</td>
            <td className="py-1 text-right tabular-nums" title={b.price ? `${b.price.weiPerSecond} wei per second` : undefined}>
              {b.price ? formatSpon(b.price.sponPerHour, "SPON/h") : "—"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
