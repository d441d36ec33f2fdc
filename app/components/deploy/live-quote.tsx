import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { FormError } from "#app/components/ui/field";
import { formatPriceRange } from "#app/lib/marketplace/price";
import { formatSpon } from "#app/lib/spon";
import { describeApiError, useTRPC } from "#app/lib/trpc";
import { containersWouldNotRun } from "./container-note";

/**
 * What nodes would charge now: the price range of live offers for the flow's workloads, and
 * per deployment group who could serve it and why the others would not.
 */
export function LiveQuote({ flowId, revision }: { flowId: string; revision?: number }) {
  const trpc = useTRPC();
  // Offers change as nodes come and go and leases take GPUs: ask again now and then.
  const query = useQuery({ ...trpc.deployment.quote.queryOptions({ flowId }), refetchInterval: 10_000 });
  const { refetch } = query;
  const seen = useRef(revision);
  useEffect(() => {
    if (seen.current === revision) return;
    seen.current = revision;
    void refetch();
  }, [revision, refetch]);
  if (query.isPending) return <p className="text-xs text-slate-500">Asking the marketplace for offers…</p>;
  if (query.isError) return <FormError message={describeApiError(query.error).message} />;
  const quote = query.data;
  const range = formatPriceRange([quote.low.sponPerHour, quote.high.sponPerHour]) ?? formatSpon(quote.catalog.sponPerHour, "SPON/h");
  return (
    <section className="rounded-md border border-slate-200 p-3 text-xs" aria-label="Live offers" data-testid="live-quote" data-source={quote.source}>
      <h3 className="text-sm font-semibold text-slate-800">
        {quote.source === "live" ? "Live offers" : "No live offers"}: <span data-testid="live-quote-range">{range}</span>
      </h3>
      <p className="text-slate-600">
        {quote.source === "live"
          ? "What nodes of the marketplace would charge now; the cheapest bid at or under your maximum wins."
          : `No node online can serve this now; the catalog price is ${formatSpon(quote.catalog.sponPerHour, "SPON/h")}.`}
      </p>
      {quote.groups.map((g) => (
        <div key={g.name} className="mt-2">
          <p className="font-medium text-slate-800">
            {g.name} <span className="font-normal text-slate-500">({g.mode}{g.gpu ? `, ${g.gpu.count}× ${g.gpu.models.join(" or ")}` : ", CPU only"})</span>
          </p>
          {g.offers.length > 0 && (
            <ul className="text-slate-700">
              {g.offers.map((o) => (
                <li key={`${o.nodeName}-${o.gpuModel ?? ""}`}>
                  {o.nodeName} ({o.region}, {o.tier}){o.gpuModel ? ` on ${o.gpuModel}` : ""}: {formatSpon(o.price.sponPerHour, "SPON/h")}
                </li>
              ))}
            </ul>
          )}
          {g.containers.length > 0 && g.offers.length > 0 && g.offers.every((o) => !o.runsContainers) && (
            <p className="mt-1 rounded-md border border-amber-200 bg-amber-50 p-2 text-amber-900" data-testid="live-quote-containers">
              {containersWouldNotRun(g.containers.map((c) => c.image))}
            </p>
          )}
          {g.unavailable.length > 0 && (
            <details className="text-slate-500">
              <summary className="cursor-pointer">{g.unavailable.length} node{g.unavailable.length === 1 ? "" : "s"} would not bid</summary>
              <ul>
                {g.unavailable.map((u) => (
                  <li key={u.nodeName}>
                    {u.nodeName}: {u.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      ))}
    </section>
  );
}
