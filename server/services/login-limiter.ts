/**
 * Caps failed logins per email and per client address within a window, so a password cannot
 * be guessed at speed. In memory: a restart forgets, which is acceptable for a single host.
 */
export type LoginLimits = { perEmail: number; perIp: number; windowMs: number };

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perEmail: 5, perIp: 30, windowMs: 15 * 60 * 1000 };

type Window = { count: number; resetAt: number };

export class LoginLimiter {
  private readonly failures = new Map<string, Window>();

  constructor(
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfterSeconds(email: string, ip: string): number {
    const wait = (key: string, max: number) => {
      const w = this.failures.get(key);
      if (!w || w.resetAt <= this.now()) return 0;
      return w.count >= max ? Math.ceil((w.resetAt - this.now()) / 1000) : 0;
    };
    return Math.max(wait(`email:${email}`, this.limits.perEmail), wait(`ip:${ip}`, this.limits.perIp));
  }

  recordFailure(email: string, ip: string): void {
    for (const key of [`email:${email}`, `ip:${ip}`]) {
      const w = this.failures.get(key);
      if (!w || w.resetAt <= this.now()) this.failures.set(key, { count: 1, resetAt: this.now() + this.limits.windowMs });
      else w.count += 1;
    }
    if (this.failures.size > 100_000) this.prune();
  }

  recordSuccess(email: string): void {
    this.failures.delete(`email:${email}`);
  }

  private prune(): void {
    const now = this.now();
    for (const [key, w] of this.failures) if (w.resetAt <= now) this.failures.delete(key);
  }
}
