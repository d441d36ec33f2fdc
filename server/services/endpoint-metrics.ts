import { and, asc, eq, gte } from "drizzle-orm";
import type { Db } from "#db/client";
import type { EndpointRequestParams } from "#db/hot-statements";
import { endpointRequests } from "#db/schema";
import type { EndpointMetrics, MetricsPoint } from "./market-views";

/**
 * An endpoint's requests as time series (the endpoint page's charts): requests, errors,
 * tokens, tokens per second and latency percentiles per bucket, from `endpoint_requests`.
 */
export const MAX_BUCKETS = 500;
/** A request with a status of 400 or more counts as an error. */
const ERROR_STATUS = 400;

/** One request an endpoint served, as its row in `endpoint_requests` is written. */
export type RequestRecord = EndpointRequestParams;

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

type Row = { at: Date; promptTokens: number; completionTokens: number; latencyMs: number; status: number };

/** Pure: rows (any order) into `bucketMs` buckets from `sinceMs` to `untilMs`. */
export function bucketRequests(rows: readonly Row[], sinceMs: number, untilMs: number, bucketMs: number): EndpointMetrics {
  const start = Math.floor(sinceMs / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((untilMs - start) / bucketMs));
  const buckets = Array.from({ length: count }, () => ({ rows: [] as Row[] }));
  for (const r of rows) {
    const i = Math.floor((r.at.getTime() - start) / bucketMs);
    if (i >= 0 && i < count) buckets[i]?.rows.push(r);
  }
  const summarize = (rs: readonly Row[]) => {
    const latencies = rs.filter((r) => r.status < ERROR_STATUS).map((r) => r.latencyMs).sort((a, b) => a - b);
    return {
      requests: rs.length,
      errors: rs.filter((r) => r.status >= ERROR_STATUS).length,
      promptTokens: rs.reduce((n, r) => n + r.promptTokens, 0),
      completionTokens: rs.reduce((n, r) => n + r.completionTokens, 0),
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
    };
  };
  const points: MetricsPoint[] = buckets.map((b, i) => {
    const s = summarize(b.rows);
    return { at: start + i * bucketMs, ...s, tokensPerSecond: Math.round((s.completionTokens / (bucketMs / 1000)) * 100) / 100 };
  });
  return { sinceMs: start, bucketMs, points, totals: summarize(rows) };
}

export function endpointMetrics(db: Db, teamId: string, endpointId: string, options: { sinceMs: number; bucketMs: number; now?: number }): EndpointMetrics {
  const now = options.now ?? Date.now();
  // At most MAX_BUCKETS buckets: a long range gets wider buckets rather than a huge answer.
  const bucketMs = Math.max(options.bucketMs, Math.ceil((now - options.sinceMs) / MAX_BUCKETS), 1000);
  const rows = db
    .select({ at: endpointRequests.at, promptTokens: endpointRequests.promptTokens, completionTokens: endpointRequests.completionTokens, latencyMs: endpointRequests.latencyMs, status: endpointRequests.status })
    .from(endpointRequests)
    .where(and(eq(endpointRequests.teamId, teamId), eq(endpointRequests.endpointId, endpointId), gte(endpointRequests.at, new Date(options.sinceMs))))
    .orderBy(asc(endpointRequests.at))
    .limit(200_000)
    .all();
  return bucketRequests(rows, options.sinceMs, now, bucketMs);
}
