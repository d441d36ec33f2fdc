import type { Db } from "#db/client";

/** How a matchmaker is set up: its database, who may join, and its timings (ADR 024, 028, 029). */
export type MatchmakerOptions = {
  db: Db;
  /** Join tokens a new node may present (a team makes them in Settings; the host has its own). */
  joinTokens: readonly string[];
  /** Other tokens that admit a node (a team's join tokens, stored hashed); called after `joinTokens`. Returns the token's team, or null. */
  acceptJoinToken?: (token: string) => string | null;
  heartbeatIntervalMs?: number;
  /** A node not heard from for this long is down. */
  heartbeatTimeoutMs?: number;
  /** After a restart, how long nodes that were up get to come back (embedded nodes restart with the host). */
  restartGraceMs?: number;
  /** How long an order collects bids when some live node has not answered. */
  bidWindowMs?: number;
  /** The watchdog closes a lease whose node has not accepted the manifest by then (spec §1.7). */
  manifestTimeoutMs?: number;
  pollTimeoutMs?: number;
  /** Failed leases in a row before a deployment fails: bounds failover loops. */
  maxAttempts?: number;
  /** A failover that finds no node orders again this often, this many times (ADR 029). */
  failoverRetryMs?: number;
  failoverRetries?: number;
  logLinesPerLease?: number;
  now?: () => number;
};
