import type { MarketNodeView } from "#server/services/market-views";

const gpuText = (gpus: { model: string; count: number }[]) => (gpus.length === 0 ? "none" : gpus.map((g) => `${g.count}× ${g.model}`).join(", "));

/** The marketplace's nodes: who they are, what they hold and have free, what serves models there. */
export function NodeList({ nodes }: { nodes: MarketNodeView[] }) {
  if (nodes.length === 0) return <p className="text-sm text-slate-500">No node has joined this marketplace yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="market-nodes">
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th scope="col" className="py-1 font-medium">Node</th>
            <th scope="col" className="py-1 font-medium">Kind</th>
            <th scope="col" className="py-1 font-medium">Region</th>
            <th scope="col" className="py-1 font-medium">Tier</th>
            <th scope="col" className="py-1 font-medium">GPUs (free)</th>
            <th scope="col" className="py-1 font-medium">Serves models with</th>
            <th scope="col" className="py-1 font-medium">Payout</th>
            <th scope="col" className="py-1 font-medium">Status</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.id} className="border-t border-slate-100" data-testid="market-node-row">
              <td className="py-1.5 font-medium">{n.name}</td>
              <td className="py-1.5">{n.kind}</td>
              <td className="py-1.5">{n.region}</td>
              <td className="py-1.5">{n.tier}</td>
              <td className="py-1.5 text-xs">
                {gpuText(n.gpus)}
                <span className="block text-slate-500">free: {gpuText(n.freeGpus)}</span>
              </td>
              <td className="py-1.5 text-xs">{n.backend ?? "—"}</td>
              <td className="py-1.5 text-xs" data-testid="node-payout">
                {n.payoutAddress ? <span className="font-mono">{n.payoutAddress}</span> : <span className="text-slate-500">payout to derived address</span>}
              </td>
              <td className="py-1.5">
                <span className={`text-xs font-medium ${n.status === "up" ? "text-emerald-700" : "text-red-700"}`}>{n.status === "up" ? "up" : "down"}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
