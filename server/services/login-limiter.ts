import ipaddr from "ipaddr.js";

/**
 * Limits password guessing. Every attempt is counted BEFORE its password is checked (a slot is
 * reserved synchronously, so attempts sent together cannot all slip past the count); a right
 * password gives its slot back. Three limits, none of which lets a stranger lock the owner out:
 *  - one address at one email: `perEmailAndAddress` attempts a window, then that pair waits
 *    out the window (only the stranger's own address is locked);
 *  - one address over all emails: `perAddress` failures a window (credential stuffing);
 *  - one email from anywhere: after `freePerEmail` attempts each further attempt waits a
 *    delay that doubles per failure up to `emailDelayCapMs`, so guesses from many addresses
 *    stay slow while the owner waits seconds, not a quarter of an hour.
 * In memory: one Skyloom process serves logins, and a restart forgetting only forgives.
 */
export type LoginLimits = {
  perEmailAndAddress: number;
  perAddress: number;
  windowMs: number;
  freePerEmail: number;
  emailDelayMs: number;
  emailDelayCapMs: number;
};

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perEmailAndAddress: 5,
  perAddress: 30,
  windowMs: 15 * 60 * 1000,
  freePerEmail: 5,
  emailDelayMs: 1000,
  emailDelayCapMs: 30_000,
};

/** Which limit refused an attempt, to say so in the message. */
export type LoginLimitScope = "email-and-address" | "address" | "email";

export type LoginAttempt = { readonly email: string; readonly pairKey: string; readonly address: string; readonly addressWindow: Window };

export type LoginReservation =
  | { allowed: true; attempt: LoginAttempt }
  | { allowed: false; retryAfterMs: number; scope: LoginLimitScope };

type Window = { count: number; resetAt: number };
type EmailState = { attempts: number; lastAt: number; nextAllowedAt: number };

/** Entries kept before expired ones are swept; bounds memory under a spray of emails. */
const SWEEP_ABOVE = 100_000;

/**
 * The key an address is limited under: IPv4 as is (also when it arrives IPv4-mapped), IPv6 by
 * its /64, because one subscriber usually holds a whole /64 and could rotate through it.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${prefix.join(":")}::/64`;
}

/** "12 seconds", "1 minute", "15 minutes": when to try again, rounded up. */
export function retryPhrase(ms: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 60 ? unit(seconds, "second") : unit(Math.ceil(ms / 60_000), "minute");
}

export class LoginLimiter {
  private readonly pairs = new Map<string, Window>();
  private readonly addresses = new Map<string, Window>();
  private readonly emails = new Map<string, EmailState>();

  constructor(
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt now, before its password is checked, or says how long to wait. */
  reserve(email: string, ip: string): LoginReservation {
    const now = this.now();
    this.sweepIfLarge(now);
    const address = addressKey(ip);
    const pairKey = `${address} ${email}`;
    const pair = live(this.pairs.get(pairKey), now);
    const perAddress = live(this.addresses.get(address), now);
    const mail = this.liveEmail(email, now);

    const waits: { retryAfterMs: number; scope: LoginLimitScope }[] = [];
    if (pair && pair.count >= this.limits.perEmailAndAddress) waits.push({ retryAfterMs: pair.resetAt - now, scope: "email-and-address" });
    if (perAddress && perAddress.count >= this.limits.perAddress) waits.push({ retryAfterMs: perAddress.resetAt - now, scope: "address" });
    if (mail && mail.nextAllowedAt > now) waits.push({ retryAfterMs: mail.nextAllowedAt - now, scope: "email" });
    const longest = waits.sort((a, b) => b.retryAfterMs - a.retryAfterMs)[0];
    if (longest) return { allowed: false, ...longest };

    this.pairs.set(pairKey, bump(pair, now, this.limits.windowMs));
    const addressWindow = bump(perAddress, now, this.limits.windowMs);
    this.addresses.set(address, addressWindow);
    const state = mail ?? { attempts: 0, lastAt: now, nextAllowedAt: 0 };
    state.attempts += 1;
    state.lastAt = now;
    const over = state.attempts - this.limits.freePerEmail;
    if (over >= 0) state.nextAllowedAt = now + Math.min(this.limits.emailDelayCapMs, this.limits.emailDelayMs * 2 ** over);
    this.emails.set(email, state);
    return { allowed: true, attempt: { email, pairKey, address, addressWindow } };
  }

  /** The password was right: forget this email's failures and give the address its slot back. */
  succeeded(attempt: LoginAttempt): void {
    this.pairs.delete(attempt.pairKey);
    this.emails.delete(attempt.email);
    if (this.addresses.get(attempt.address) === attempt.addressWindow) attempt.addressWindow.count -= 1;
  }

  private liveEmail(email: string, now: number): EmailState | undefined {
    const state = this.emails.get(email);
    return state && now - state.lastAt < this.limits.windowMs ? state : undefined;
  }

  private sweepIfLarge(now: number): void {
    if (this.pairs.size + this.addresses.size + this.emails.size <= SWEEP_ABOVE) return;
    for (const map of [this.pairs, this.addresses]) for (const [key, w] of map) if (w.resetAt <= now) map.delete(key);
    for (const [key, state] of this.emails) if (now - state.lastAt >= this.limits.windowMs) this.emails.delete(key);
  }
}

function live(window: Window | undefined, now: number): Window | undefined {
  return window && window.resetAt > now ? window : undefined;
}

function bump(window: Window | undefined, now: number, windowMs: number): Window {
  if (!window) return { count: 1, resetAt: now + windowMs };
  window.count += 1;
  return window;
}
