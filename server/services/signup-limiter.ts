import { addressKey } from "./login-limiter";

const HOUR_MS = 60 * 60 * 1000;
/** Addresses kept before those with no sign-up in the last hour are swept. */
const SWEEP_ABOVE = 100_000;

/**
 * Caps sign-ups per client address in any rolling hour, so one caller cannot mint accounts
 * (each with a team and an allowance) in bulk. An attempt takes its slot before the account is
 * written, so sign-ups sent together are counted together; one refused because the email is
 * taken keeps its slot, which also slows probing for which emails have accounts.
 */
export class SignupLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly perHour: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a slot for a sign-up from `ip`, or returns how long until one frees up. */
  reserve(ip: string): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const now = this.now();
    if (this.recent.size > SWEEP_ABOVE) this.sweep(now);
    const key = addressKey(ip);
    const times = (this.recent.get(key) ?? []).filter((t) => now - t < HOUR_MS);
    if (times.length >= this.perHour) {
      this.recent.set(key, times);
      return { allowed: false, retryAfterMs: (times[0] as number) + HOUR_MS - now };
    }
    times.push(now);
    this.recent.set(key, times);
    return { allowed: true };
  }

  private sweep(now: number): void {
    for (const [key, times] of this.recent) if (times.every((t) => now - t >= HOUR_MS)) this.recent.delete(key);
  }
}
