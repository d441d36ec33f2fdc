import { and, eq, inArray, isNull, lt, or } from "drizzle-orm";
import type { Db, DbTx } from "#db/client";
import type { EndpointRequestParams, HotStatements } from "#db/hot-statements";
import { apiKeys, modelEndpoints } from "#db/schema";
import type { RequestRecord } from "./endpoint-metrics";

/**
 * Endpoint requests written in batches (issue 12's gateway speed goal): the gateway records
 * every request to a model endpoint (metrics, metering) and marks the endpoint used (idle
 * sleep). One SQLite write per request cost more than the proxying itself, so records and
 * last-used times wait here and go to the database in one transaction every `flushEveryMs`,
 * and whenever a reader needs them current (metrics, the idle check, the endpoint's page) or
 * the service stops (before the database closes). Nothing is dropped: a failed flush keeps
 * its rows for the next one.
 */
export const FLUSH_EVERY_MS = 200;
/** Ids per `in (…)` lookup: far below SQLite's bound-parameter limit. */
const IDS_PER_LOOKUP = 500;

export class EndpointRequestBuffer {
  private records: RequestRecord[] = [];
  /** Endpoint id → the latest request start seen (its team with it, as every write is team-scoped). */
  private lastUsed = new Map<string, { teamId: string; at: number }>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    /** Rows go in one prepared statement each: drizzle built a query of every row's values per batch, which cost more than the write. */
    private readonly statements: Pick<HotStatements, "insertEndpointRequest">,
    private readonly flushEveryMs = FLUSH_EVERY_MS,
  ) {}

  record(record: RequestRecord): void {
    this.records.push(record);
    this.touch(record.teamId, record.endpointId, record.at);
  }

  /** The endpoint was used at `at` (a request started): it must not sleep from then. */
  touch(teamId: string, endpointId: string, at: number): void {
    const seen = this.lastUsed.get(endpointId);
    if (!seen || seen.at < at) this.lastUsed.set(endpointId, { teamId, at });
    this.schedule();
  }

  /** The latest use not yet written, if any (readers merge it with the stored time). */
  pendingLastUsed(endpointId: string): number | undefined {
    return this.lastUsed.get(endpointId)?.at;
  }

  /** Writes everything pending in one transaction. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.records.length === 0 && this.lastUsed.size === 0) return;
    const records = this.records;
    const lastUsed = this.lastUsed;
    this.records = [];
    this.lastUsed = new Map();
    try {
      this.db.transaction((tx) => {
        for (const row of storable(tx, records)) this.statements.insertEndpointRequest.run(row);
        for (const [id, { teamId, at }] of lastUsed) {
          const when = new Date(at);
          // Only forward: a late flush never moves an endpoint's last use back in time.
          tx.update(modelEndpoints)
            .set({ lastRequestAt: when })
            .where(and(eq(modelEndpoints.id, id), eq(modelEndpoints.teamId, teamId), or(isNull(modelEndpoints.lastRequestAt), lt(modelEndpoints.lastRequestAt, when))))
            .run();
        }
      });
    } catch (error) {
      // Kept for the next flush (the database may be busy); the caller sees the error.
      this.records = records.concat(this.records);
      for (const [id, used] of lastUsed) if ((this.lastUsed.get(id)?.at ?? -Infinity) < used.at) this.lastUsed.set(id, used);
      if (!this.stopped) this.schedule();
      throw error;
    }
  }

  /** Flushes and writes through from now on (requests still finishing while the host stops). */
  stop(): void {
    this.stopped = true;
    this.flush();
  }

  private schedule(): void {
    if (this.stopped) return this.flush();
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.flush();
      } catch (error) {
        console.error("endpoints: writing request records failed (kept for the next try):", error);
      }
    }, this.flushEveryMs);
    this.timer.unref();
  }
}

/**
 * The records as rows, as the database's foreign keys would have left them had each been
 * written at once: an endpoint deleted since takes its requests with it (cascade), a deleted
 * key leaves the request without a key (set null).
 */
function storable(tx: DbTx, records: readonly RequestRecord[]): EndpointRequestParams[] {
  if (records.length === 0) return [];
  const existing = <T extends string>(ids: T[], table: typeof modelEndpoints | typeof apiKeys) => {
    const wanted = [...new Set(ids)];
    const found = new Set<string>();
    for (let i = 0; i < wanted.length; i += IDS_PER_LOOKUP) {
      for (const row of tx.select({ id: table.id }).from(table).where(inArray(table.id, wanted.slice(i, i + IDS_PER_LOOKUP))).all()) found.add(row.id);
    }
    return found;
  };
  const endpoints = existing(records.map((r) => r.endpointId), modelEndpoints);
  const keys = existing(records.flatMap((r) => (r.apiKeyId ? [r.apiKeyId] : [])), apiKeys);
  return records.filter((r) => endpoints.has(r.endpointId)).map((r) => toRow({ ...r, apiKeyId: r.apiKeyId && keys.has(r.apiKeyId) ? r.apiKeyId : null }));
}

function toRow(r: RequestRecord): EndpointRequestParams {
  return {
    teamId: r.teamId,
    endpointId: r.endpointId,
    apiKeyId: r.apiKeyId,
    promptTokens: Math.max(0, Math.round(r.promptTokens)),
    completionTokens: Math.max(0, Math.round(r.completionTokens)),
    latencyMs: Math.max(0, Math.round(r.latencyMs)),
    status: r.status,
    at: Math.trunc(r.at),
  };
}
