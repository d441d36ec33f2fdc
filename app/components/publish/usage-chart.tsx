import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type UsageDay = { day: string; requests: number; errors: number; promptTokens: number; completionTokens: number };

/** Requests and errors per day, and tokens per day, for one published agent. */
export function UsageCharts({ days }: { days: UsageDay[] }) {
  const data = days.map((d) => ({ ...d, label: d.day.slice(5), ok: d.requests - d.errors }));
  return (
    <div className="grid gap-6 md:grid-cols-2" data-testid="usage-charts">
      <figure>
        <figcaption className="mb-1 text-sm font-medium text-slate-700">Requests per day (UTC)</figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" fontSize={11} />
            <YAxis allowDecimals={false} fontSize={11} width={40} />
            <Tooltip />
            <Legend />
            <Bar dataKey="ok" name="answered" stackId="r" fill="#4f46e5" />
            <Bar dataKey="errors" name="errors" stackId="r" fill="#dc2626" />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <figure>
        <figcaption className="mb-1 text-sm font-medium text-slate-700">Tokens per day (UTC)</figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" fontSize={11} />
            <YAxis allowDecimals={false} fontSize={11} width={50} />
            <Tooltip />
            <Legend />
            <Bar dataKey="promptTokens" name="prompt" stackId="t" fill="#0ea5e9" />
            <Bar dataKey="completionTokens" name="completion" stackId="t" fill="#22c55e" />
          </BarChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
