import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "#app/lib/trpc";
import { Amount } from "./amount";

/** What an API call costs before it is made: the price per 1K input and output tokens per model. */
export function PriceList() {
  const trpc = useTRPC();
  const prices = useQuery(trpc.billing.prices.queryOptions());
  if (prices.error) {
    return (
      <p role="alert" className="text-sm text-red-700">
        {prices.error.message}
      </p>
    );
  }
  if (!prices.data) return null;
  const rows = [...prices.data.models, { ...prices.data.otherModels, model: "Any other model" }];
  return (
    <section aria-labelledby="prices-heading" className="space-y-2" data-testid="price-list">
      <h2 id="prices-heading" className="font-semibold">
        Prices
      </h2>
      <p className="text-sm text-slate-600">{prices.data.note}</p>
      <table className="w-full max-w-2xl text-left text-sm">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th className="py-1">Model</th>
            <th className="text-right">Input, per 1K tokens</th>
            <th className="text-right">Output, per 1K tokens</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.model} className="border-t border-slate-200">
              <td className="py-1.5">{row.model}</td>
              <td className="text-right">
                <Amount value={row.inputPer1k} />
              </td>
              <td className="text-right">
                <Amount value={row.outputPer1k} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
