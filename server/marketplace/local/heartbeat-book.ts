import { eq, sql } from "drizzle-orm";
import type { Db } from "#db/client";
import { marketNodes } from "#db/schema/marketplace";

/**
 * When each node was last heard from, kept in memory and written to SQLite at most once a
 * second, all in one transaction (issue 12: 100 nodes beating every second were 100 write
 * transactions a second, the largest part of the matchmaker's cost).
 *
 * The liveness watchdog reads `lastHeardAt`, so a node is declared down exactly when it was
 * before. A host restart loses at most the last second of heartbeat times, which changes
 * nothing: `Matchmaker.start()` sets every node that was up to the restart time anyway and
 * gives it the restart grace. Readers that show the time (the node list) `flush()` first.
 */
export class HeartbeatBook {
  /** Beats not yet written, by node id. */
  private pending = new Map<string, number>();
  /** The newest beat heard since the start, by node id (what the watchdog reads). */
  private heard = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly writeBeat;

  constructor(private readonly db: Db) {
    // max(): a join or a comeback may have written a newer time since the beat was heard.
    const at = sql.placeholder("at");
    this.writeBeat = db
      .update(marketNodes)
      .set({ lastHeartbeatAt: sql`max(${marketNodes.lastHeartbeatAt}, ${at})` })
      .where(eq(marketNodes.id, sql.placeholder("id")))
      .prepare();
  }

  beat(nodeId: string, at: number): void {
    this.pending.set(nodeId, at);
    if ((this.heard.get(nodeId) ?? 0) < at) this.heard.set(nodeId, at);
  }

  /** The node's last heartbeat: the stored one, or a newer one not written yet. */
  lastHeardAt(nodeId: string, stored: number): number {
    return Math.max(stored, this.heard.get(nodeId) ?? 0);
  }

  /** Writes the beats heard since the last flush, in one transaction. */
  flush(): void {
    if (this.pending.size === 0) return;
    const beats = [...this.pending];
    this.pending.clear();
    this.db.transaction(() => {
      for (const [id, at] of beats) this.writeBeat.run({ id, at });
    });
  }

  /** Flushes every `everyMs` until `stop()`. */
  start(everyMs = 1000): void {
    this.stop();
    this.timer = setInterval(() => this.flush(), everyMs);
    this.timer.unref();
  }

  /** Writes what is pending and stops the timer (before the database closes). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }
}
