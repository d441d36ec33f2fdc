/**
 * Prices in the chain's integer unit (ADR 025). Quotes, bills and the escrow contract all use
 * wei and wei per second, so the ledger equals the chain exactly: a lease's rate is fixed in wei
 * per second when it is quoted, and what it costs is rate × whole seconds, capped at the lock —
 * the same arithmetic as SponEscrow.accrued().
 */
export const SECONDS_PER_HOUR = 3600n;

/** Model prices per 1K tokens, in wei. */
export type TokenPrice = { inputWeiPer1k: bigint; outputWeiPer1k: bigint };

/**
 * What a request costs: (input × in-price + output × out-price) / 1000, rounded UP to the wei,
 * so a stream of tiny requests can never use tokens for free (the platform keeps < 1 wei per request).
 */
export function tokenCostWei(price: TokenPrice, inputTokens: number, outputTokens: number): bigint {
  for (const [name, n] of [["inputTokens", inputTokens], ["outputTokens", outputTokens]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${n}`);
  }
  if (price.inputWeiPer1k < 0n || price.outputWeiPer1k < 0n) throw new RangeError("token prices cannot be negative");
  const scaled = BigInt(inputTokens) * price.inputWeiPer1k + BigInt(outputTokens) * price.outputWeiPer1k;
  return (scaled + 999n) / 1000n;
}

/**
 * A lease's rate in wei per second from an hourly price in wei, rounded DOWN (the tenant never
 * pays more than the hourly price quoted; the provider loses < 1 wei per second, e.g. 1 SPON/h →
 * 277,777,777,777,777 wei/s pays 0.9999999999999972 SPON an hour). Zero is refused: the escrow
 * refuses a zero rate too.
 */
export function ratePerSecondFromHourly(weiPerHour: bigint): bigint {
  const rate = weiPerHour / SECONDS_PER_HOUR;
  if (rate <= 0n) throw new RangeError(`an hourly price of ${weiPerHour} wei is below 1 wei per second`);
  return rate;
}

/** What a lease has accrued after `seconds`, as SponEscrow.accrued computes it: rate × seconds, capped at the lock. */
export function leaseAccruedWei(ratePerSecond: bigint, seconds: bigint, locked: bigint): bigint {
  if (seconds < 0n) throw new RangeError("seconds cannot be negative");
  const total = ratePerSecond * seconds;
  return total < locked ? total : locked;
}

/** The escrow to lock for a lease of `seconds` at `ratePerSecond`. */
export const leaseLockWei = (ratePerSecond: bigint, seconds: bigint): bigint => ratePerSecond * seconds;
