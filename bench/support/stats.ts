/** Median and spread of a sample, as every benchmark reports them. */
export function summarize(samples: number[]): { median: number; min: number; max: number; p90: number; runs: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { median: at(0.5), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN, p90: at(0.9), runs: sorted.length };
}

export function formatStats(label: string, unit: string, samples: number[], digits = 1): string {
  const s = summarize(samples);
  const f = (n: number) => n.toFixed(digits);
  return `${label}: median ${f(s.median)} ${unit} (min ${f(s.min)}, p90 ${f(s.p90)}, max ${f(s.max)}; ${s.runs} runs)`;
}
