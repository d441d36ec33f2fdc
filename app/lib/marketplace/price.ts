import { formatSpon } from "#app/lib/spon";

/**
 * Marketplace prices for people. Nodes bid in wei per second (the unit the escrow streams in);
 * people compare SPON per hour. Conversions are exact (bigint) so the hover figure is the
 * bid's, not a float's rounding of it.
 */
const WEI_PER_SPON = 10n ** 18n;
const SECONDS_PER_HOUR = 3600n;

/** "1500000000000000000" wei → "1.5" SPON, exact, no trailing zeros. */
export function weiToSpon(wei: string | bigint): string {
  const value = typeof wei === "bigint" ? wei : BigInt(wei);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / WEI_PER_SPON;
  const fraction = (abs % WEI_PER_SPON).toString().padStart(18, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** A bid's wei per second as exact SPON per hour. */
export function sponPerHourFromWeiPerSecond(weiPerSecond: string | bigint): string {
  const value = typeof weiPerSecond === "bigint" ? weiPerSecond : BigInt(weiPerSecond);
  return weiToSpon(value * SECONDS_PER_HOUR);
}

/** "0.80 SPON/h" from wei per second; an unreadable figure is shown as it came. */
export function formatWeiPerSecond(weiPerSecond: string | bigint): string {
  try {
    return formatSpon(sponPerHourFromWeiPerSecond(weiPerSecond), "SPON/h");
  } catch {
    return `${String(weiPerSecond)} wei/s`;
  }
}

/**
 * The range of live offers' prices: "0.80–1.20 SPON/h", one figure when they agree, null
 * when there is nothing to quote from. Inputs are exact SPON-per-hour decimal strings.
 */
export function formatPriceRange(sponPerHour: readonly string[]): string | null {
  const values = sponPerHour.map(Number).filter((n) => Number.isFinite(n));
  if (values.length === 0) return null;
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (low === high) return formatSpon(low, "SPON/h");
  return `${formatSpon(low, "SPON/h").replace(/ SPON\/h$/, "")}–${formatSpon(high, "SPON/h")}`;
}

/** What a rental costs for its duration, or per hour only when it runs until stopped. */
export function describeCommitment(perHourSpon: string, durationHours: number | null): string {
  const perHour = formatSpon(perHourSpon, "SPON/h");
  if (durationHours === null) return `${perHour}, billed while it runs, until you stop it`;
  const total = Number(perHourSpon) * durationHours;
  return `${perHour} × ${durationHours} h = ${formatSpon(total)} at most`;
}
