import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type UsageDay = { day: string; requests: number; errors: number; promptTokens: number; completionTokens: number };

type ChartRow = UsageDay & { label: string; ok: number };
type StackedBar = { key: keyof ChartRow; name: string; fill: string };

/** Requests and errors per day, and tokens per day, for one published agent. */
export function UsageCharts({ days }: { days: UsageDay[] }) {
  const data: ChartRow[] = days.map((d) => ({ ...d, label: d.day.slice(5), ok: d.requests - d.errors }));
  return (
    <div className="grid gap-6 md:grid-cols-2" data-testid="usage-charts">
      <StackedDailyChart
        title="Requests per day (UTC)"
        data={data}
        yAxisWidth={40}
        bars={[
          { key: "ok", name: "answered", fill: "#4f46e5" },
          { key: "errors", name: "errors", fill: "#dc2626" },
        ]}
      />
      <StackedDailyChart
        title="Tokens per day (UTC)"
        data={data}
        yAxisWidth={50}
        bars={[
          { key: "promptTokens", name: "prompt", fill: "#0ea5e9" },
          { key: "completionTokens", name: "completion", fill: "#22c55e" },
        ]}
      />
    </div>
  );
}

function StackedDailyChart({ title, data, bars, yAxisWidth }: { title: string; data: ChartRow[]; bars: StackedBar[]; yAxisWidth: number }) {
  return (
    <figure>
      <figcaption className="mb-1 text-sm font-medium text-slate-700">{title}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" fontSize={11} />
          <YAxis allowDecimals={false} fontSize={11} width={yAxisWidth} />
          <Tooltip />
          <Legend />
          {bars.map((bar) => (
            <Bar key={bar.key} dataKey={bar.key} name={bar.name} stackId="day" fill={bar.fill} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
