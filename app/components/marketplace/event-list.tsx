const clock = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

/** Every event of a deployment in one sentence each, newest last (what happened, in order). */
export function EventList({ events }: { events: readonly { seq: number; at: number; text: string; type: string }[] }) {
  if (events.length === 0) return <p className="text-xs text-slate-500">No events yet.</p>;
  return (
    <ol className="max-h-56 space-y-0.5 overflow-auto text-xs" aria-label="Events" data-testid="event-list">
      {events.map((e) => (
        <li key={e.seq} className="flex gap-2" data-type={e.type}>
          <time className="shrink-0 tabular-nums text-slate-500" dateTime={new Date(e.at).toISOString()}>
            {clock.format(e.at)}
          </time>
          <span className="text-slate-700">{e.text}</span>
        </li>
      ))}
    </ol>
  );
}
