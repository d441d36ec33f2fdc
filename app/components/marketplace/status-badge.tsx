/**
 * A deployment's or endpoint's status as a coloured word. The marketplace's names
 * (ordering, leased, ready, sleeping, failed, closed) and an endpoint's "stopped".
 */
const STATUS: Record<string, { label: string; tone: string }> = {
  ordering: { label: "Ordering", tone: "bg-amber-50 text-amber-800 ring-amber-200" },
  leased: { label: "Starting", tone: "bg-sky-50 text-sky-800 ring-sky-200" },
  ready: { label: "Ready", tone: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  sleeping: { label: "Asleep", tone: "bg-slate-100 text-slate-700 ring-slate-200" },
  failed: { label: "Failed", tone: "bg-red-50 text-red-800 ring-red-200" },
  closed: { label: "Stopped", tone: "bg-slate-100 text-slate-700 ring-slate-200" },
  stopped: { label: "Stopped", tone: "bg-slate-100 text-slate-700 ring-slate-200" },
};

export function statusLabel(status: string): string {
  return STATUS[status]?.label ?? status;
}

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const s = STATUS[status] ?? { label: status, tone: "bg-slate-100 text-slate-700 ring-slate-200" };
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${s.tone}`} data-testid={testId} data-status={status}>
      {s.label}
    </span>
  );
}
