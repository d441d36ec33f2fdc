import { and, asc, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "#db/client";
import { agentRuns, agentUsageDaily, apiKeys, runs, RUN_STATUSES, type RunStatus } from "#db/schema";
import { getPublication } from "./publishing";
import { utcDay } from "./run-settlement";
import type { RunService } from "./runs";
import type { TeamScope } from "./flows";

export type RunHistoryFilter = {
  agentId: string;
  status?: RunStatus;
  apiKeyId?: string;
  /** Inclusive lower and exclusive upper bound on the start time (ms since the epoch). */
  from?: number;
  to?: number;
  /** Runs that started before this time, for the next page. */
  before?: number;
  limit?: number;
};

export function listAgentRuns(db: Db, liveRuns: Pick<RunService, "reveal">, scope: TeamScope, filter: RunHistoryFilter) {
  const agent = getPublication(db, scope, filter.agentId);
  liveRuns.reveal(scope.teamId);
  const conditions: SQL[] = [eq(agentRuns.agentId, agent.id), eq(agentRuns.teamId, scope.teamId)];
  if (filter.status) conditions.push(eq(runs.status, filter.status));
  if (filter.apiKeyId) conditions.push(eq(agentRuns.apiKeyId, filter.apiKeyId));
  if (filter.from !== undefined) conditions.push(gte(agentRuns.startedAt, new Date(filter.from)));
  if (filter.to !== undefined) conditions.push(lt(agentRuns.startedAt, new Date(filter.to)));
  if (filter.before !== undefined) conditions.push(lt(agentRuns.startedAt, new Date(filter.before)));
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const rows = db
    .select({
      id: runs.id,
      status: runs.status,
      input: sql<string>`substr(${runs.input}, 1, 200)`,
      output: sql<string | null>`substr(${runs.output}, 1, 200)`,
      error: runs.error,
      promptTokens: runs.promptTokens,
      completionTokens: runs.completionTokens,
      failedToolCalls: runs.failedToolCalls,
      startedAt: runs.startedAt,
      durationMs: runs.durationMs,
      conversationId: runs.conversationId,
      apiKeyId: agentRuns.apiKeyId,
      apiKeyName: apiKeys.name,
      apiKeyPrefix: apiKeys.prefix,
    })
    .from(agentRuns)
    .innerJoin(runs, eq(runs.id, agentRuns.runId))
    .leftJoin(apiKeys, eq(apiKeys.id, agentRuns.apiKeyId))
    .where(and(...conditions))
    .orderBy(desc(agentRuns.startedAt))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  return { runs: page, nextBefore: rows.length > limit ? (page.at(-1)?.startedAt.getTime() ?? null) : null };
}

export type UsageDay = { day: string; requests: number; errors: number; promptTokens: number; completionTokens: number };

/** The last `days` UTC days of an agent's usage, oldest first, with empty days as zeros. */
export function agentUsageByDay(db: Db, liveRuns: Pick<RunService, "reveal">, scope: TeamScope, input: { agentId: string; days: number; now?: number }): UsageDay[] {
  const agent = getPublication(db, scope, input.agentId);
  liveRuns.reveal(scope.teamId);
  const now = input.now ?? Date.now();
  const days: string[] = [];
  for (let i = input.days - 1; i >= 0; i--) days.push(utcDay(now - i * 86_400_000));
  const rows = db
    .select({
      day: agentUsageDaily.day,
      requests: agentUsageDaily.requests,
      errors: agentUsageDaily.errors,
      promptTokens: agentUsageDaily.promptTokens,
      completionTokens: agentUsageDaily.completionTokens,
    })
    .from(agentUsageDaily)
    .where(and(eq(agentUsageDaily.agentId, agent.id), eq(agentUsageDaily.teamId, scope.teamId), gte(agentUsageDaily.day, days[0] as string)))
    .orderBy(asc(agentUsageDaily.day))
    .all();
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return days.map((day) => byDay.get(day) ?? { day, requests: 0, errors: 0, promptTokens: 0, completionTokens: 0 });
}

export { RUN_STATUSES, utcDay };
