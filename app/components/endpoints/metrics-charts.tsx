import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { EndpointMetrics, MetricsPoint } from "#server/services/market-views";

const timeLabel = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hour12: false });

type Row = MetricsPoint & { label: string };
type Series = { key: keyof MetricsPoint; name: string; stroke: string };

/** Requests, tokens per second, latency (p50 and p99) and errors over the chosen range. */
export function MetricsCharts({ metrics }: { metrics: EndpointMetrics }) {
  const rows: Row[] = metrics.points.map((p) => ({ ...p, label: timeLabel.format(p.at) }));
  const t = metrics.totals;
  return (
    <div className="space-y-3" data-testid="endpoint-metrics">
      <dl className="grid grid-cols-2 gap-2 text-xs sm:grid-cols-4">
        <Figure label="Requests" value={String(t.requests)} testId="metrics-requests" />
        <Figure label="Errors" value={String(t.errors)} testId="metrics-errors" />
        <Figure label="Latency p50" value={t.latencyP50Ms === null ? "—" : `${t.latencyP50Ms} ms`} />
        <Figure label="Latency p99" value={t.latencyP99Ms === null ? "—" : `${t.latencyP99Ms} ms`} />
      </dl>
      <div className="grid gap-4 md:grid-cols-2">
        <Chart title="Requests" rows={rows} series={[{ key: "requests", name: "requests", stroke: "#4f46e5" }]} />
        <Chart title="Tokens per second" rows={rows} series={[{ key: "tokensPerSecond", name: "tokens/s", stroke: "#22c55e" }]} />
        <Chart
          title="Latency (ms, first byte)"
          rows={rows}
          series={[
            { key: "latencyP50Ms", name: "p50", stroke: "#0ea5e9" },
            { key: "latencyP99Ms", name: "p99", stroke: "#f59e0b" },
          ]}
        />
        <Chart title="Errors" rows={rows} series={[{ key: "errors", name: "errors", stroke: "#dc2626" }]} />
      </div>
    </div>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="rounded-md border border-slate-200 p-2">
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-base font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function Chart({ title, rows, series }: { title: string; rows: Row[]; series: Series[] }) {
  return (
    <figure>
      <figcaption className="mb-1 text-sm font-medium text-slate-700">{title}</figcaption>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" fontSize={11} minTickGap={24} />
          <YAxis fontSize={11} width={44} allowDecimals={series[0]?.key === "tokensPerSecond"} />
          <Tooltip />
          {series.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
          {series.map((s) => (
            <Line key={s.key} type="monotone" dataKey={s.key} name={s.name} stroke={s.stroke} dot={false} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
