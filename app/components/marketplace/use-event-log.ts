import { useEffect, useRef, useState } from "react";
import { describeApiError } from "#app/lib/trpc";
import type { MarketEvent } from "#app/lib/marketplace/timeline";

/** How often to ask for new events while the page is open; the marketplace keeps them all. */
const POLL_MS = 1_000;

/**
 * A deployment's (or endpoint's) event log, kept up to date by polling `fetchAfter(lastSeq)`.
 * A new `key` (another deployment) starts over. A failed poll is shown, and polling goes on:
 * a host restart or a dropped connection heals by itself.
 */
export function useEventLog<E extends MarketEvent>(key: string | null, fetchAfter: (after: number | undefined) => Promise<E[]>) {
  // The latest fetcher (a new function each render); the key alone says when to start over.
  const fetcher = useRef(fetchAfter);
  fetcher.current = fetchAfter;
  const [state, setState] = useState<{ key: string | null; events: E[]; error: string | null }>({ key, events: [], error: null });
  useEffect(() => {
    if (key === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: number | undefined;
    setState({ key, events: [], error: null });
    const poll = async () => {
      try {
        const fresh = (await fetcher.current(last)).filter((e) => last === undefined || e.seq > last);
        if (stopped) return;
        if (fresh.length > 0) last = Math.max(...fresh.map((e) => e.seq));
        setState((s) => ({ key, events: fresh.length > 0 ? [...(s.key === key ? s.events : []), ...fresh] : s.events, error: null }));
      } catch (error) {
        if (stopped) return;
        setState((s) => ({ ...s, error: describeApiError(error).message }));
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key]);
  return state.key === key ? state : { key, events: [] as E[], error: null };
}
