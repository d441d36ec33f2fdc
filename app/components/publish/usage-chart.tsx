import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type UsageDay = { day: string; requests: number; errors: number; promptTokens: number; completionTokens: number };

/** "Nov 24": a day people read at a glance, in UTC like the usage it labels. */
const dayLabel = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" });

type ChartRow = UsageDay & { label: string; ok: number };
type StackedBar = { key: keyof ChartRow; name: string; fill: string };

/** Requests and errors per day, and tokens per day, for one published agent. */
export function UsageCharts({ days }: { days: UsageDay[] }) {
  const data: ChartRow[] = days.map((d) => ({ ...d, label: dayLabel.format(new Date(`${d.day}T00:00:00Z`)), ok: d.requests - d.errors }));
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
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {bars.map((bar) => (
            <Bar key={bar.key} dataKey={bar.key} name={bar.name} stackId="day" fill={bar.fill} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
