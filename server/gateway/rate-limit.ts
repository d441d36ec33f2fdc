/**
 * Requests-per-minute per API key as a token bucket: a key may spend its whole minute's
 * allowance at once, then gets one more request every 60/limit seconds. Kept in memory: one
 * Skyloom process serves the gateway, and a restart forgetting the buckets only forgives.
 */
export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

type Bucket = { tokens: number; updatedAt: number; limit: number };

export class KeyRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  take(keyId: string, perMinute: number): RateDecision {
    const now = this.now();
    this.sweep(now);
    let bucket = this.buckets.get(keyId);
    if (!bucket || bucket.limit !== perMinute) {
      bucket = { tokens: perMinute, updatedAt: now, limit: perMinute };
      this.buckets.set(keyId, bucket);
    } else {
      bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.updatedAt) * perMinute) / 60_000);
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    const waitMs = ((1 - bucket.tokens) * 60_000) / perMinute;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.round(waitMs) / 1000)) };
  }

  /** Full buckets hold no information; dropping them keeps memory flat with many keys. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, bucket] of this.buckets) if (now - bucket.updatedAt > 60_000) this.buckets.delete(id);
  }
}
