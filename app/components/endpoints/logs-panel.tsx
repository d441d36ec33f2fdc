import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useEffect, useId, useRef, useState } from "react";
import { FormError } from "#app/components/ui/field";
import { filterLogLines } from "#app/lib/marketplace/endpoint-snippets";
import { describeApiError, useTRPC } from "#app/lib/trpc";

const clock = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

/**
 * The endpoint's logs from its node, refreshed every two seconds while the page is open, with
 * a search the server applies (and the page too, so typing narrows at once). Follows the end
 * unless the reader scrolled up.
 */
export function LogsPanel({ endpointId }: { endpointId: string }) {
  const trpc = useTRPC();
  const id = useId();
  const [search, setSearch] = useState("");
  const deferred = useDeferredValue(search.trim());
  const query = useQuery({
    ...trpc.endpoint.logs.queryOptions({ id: endpointId, ...(deferred ? { search: deferred } : {}) }),
    refetchInterval: 2_000,
    placeholderData: (previous) => previous,
  });
  const lines = filterLogLines(query.data?.lines ?? [], search);
  const box = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  useEffect(() => {
    if (following.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length]);

  return (
    <section className="space-y-2" aria-labelledby={`${id}-title`}>
      <div className="flex items-center justify-between gap-2">
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          Logs
        </h2>
        <label className="sr-only" htmlFor={`${id}-search`}>
          Search the logs
        </label>
        <input
          id={`${id}-search`}
          type="search"
          className="w-56 rounded-md border border-slate-300 px-2.5 py-1 text-sm shadow-sm"
          placeholder="Search the logs"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {query.isError && <FormError message={describeApiError(query.error).message} />}
      <div
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        className="h-64 overflow-auto rounded-md bg-slate-900 p-2 font-mono text-[11px] leading-relaxed text-slate-100"
        role="log"
        aria-label="Endpoint logs"
        data-testid="endpoint-logs"
      >
        {lines.length === 0 ? (
          <p className="text-slate-400">{query.isPending ? "Loading…" : search ? "No line matches the search." : "No log lines yet."}</p>
        ) : (
          lines.map((l, i) => (
            <div key={`${l.at}-${i}`} className="whitespace-pre-wrap break-all" data-testid="log-line">
              <span className="text-slate-500">{clock.format(l.at)} </span>
              {l.line}
            </div>
          ))
        )}
      </div>
    </section>
  );
}
