/**
 * Exact SPON amounts for the billing page. SPON has 18 decimals and balances are bigint wei
 * (sent by the API as decimal strings): everything here is bigint and string arithmetic, never
 * a float, so 0.1 + 0.2 SPON shows as 0.3 SPON and 10,000,000.000000000000000001 stays exact.
 * (app/lib/spon.ts formats the marketplace's quotes, which are already decimal strings.)
 */
export const SPON_DECIMALS = 18;
export const WEI_PER_SPON = 10n ** BigInt(SPON_DECIMALS);

export type FormatOptions = {
  /** At most this many fraction digits (cut toward zero; default all 18, trailing zeros dropped). */
  maxFractionDigits?: number;
  /** At least this many fraction digits (padded with zeros), e.g. 2 for "12.50 SPON". */
  minFractionDigits?: number;
  /** Appended after a space; `null` for the bare number. */
  unit?: string | null;
  /** Thousands separators (default true); false gives the plain decimal the API's SPON inputs take. */
  grouping?: boolean;
};

/** "1234567" → "1,234,567". */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** wei as bigint or as its decimal string (what the API sends) → bigint; throws on anything else. */
export function toWei(wei: bigint | string): bigint {
  if (typeof wei === "bigint") return wei;
  if (!/^-?\d+$/.test(wei)) throw new Error(`Not an amount in wei: ${JSON.stringify(wei)}`);
  return BigInt(wei);
}

/**
 * wei → "1,234.5 SPON". Cut to `maxFractionDigits` toward zero; an amount that is not zero
 * but shows as zero after the cut reads "< 0.0001 SPON" (so a tiny charge never looks free).
 */
export function formatSpon(wei: bigint | string, options: FormatOptions = {}): string {
  const { maxFractionDigits = SPON_DECIMALS, minFractionDigits = 0, unit = "SPON", grouping = true } = options;
  const suffix = unit === null ? "" : ` ${unit}`;
  const amount = toWei(wei);
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const whole = abs / WEI_PER_SPON;
  const fraction = (abs % WEI_PER_SPON).toString().padStart(SPON_DECIMALS, "0");
  const shown = fraction.slice(0, Math.min(maxFractionDigits, SPON_DECIMALS)).replace(/0+$/, "").padEnd(minFractionDigits, "0");
  if (whole === 0n && /^0*$/.test(shown) && abs !== 0n) {
    const smallest = maxFractionDigits === 0 ? "1" : `0.${"0".repeat(maxFractionDigits - 1)}1`;
    return `${negative ? "> -" : "< "}${smallest}${suffix}`;
  }
  const sign = negative && (whole !== 0n || /[1-9]/.test(shown)) ? "-" : "";
  return `${sign}${grouping ? groupThousands(whole.toString()) : whole.toString()}${shown === "" ? "" : `.${shown}`}${suffix}`;
}

/** For cards and tables: at most 4 decimals, at least 2 ("1,234.50 SPON"); the exact value goes in a title. */
export const formatSponShort = (wei: bigint | string, unit: string | null = "SPON") =>
  formatSpon(wei, { maxFractionDigits: 4, minFractionDigits: 2, unit });

export class SponInputError extends Error {
  override name = "SponInputError";
}

/**
 * What a person typed ("1,000.5", "0.25", " 12 ") → wei. Refuses, with a message saying what to
 * fix: empty text, signs, letters, exponents, more than 18 decimals, and misplaced commas.
 */
export function parseSpon(text: string): bigint {
  const trimmed = text.trim();
  if (trimmed === "") throw new SponInputError("Enter an amount of SPON, e.g. 25 or 0.5.");
  if (trimmed.startsWith("-")) throw new SponInputError("The amount cannot be negative.");
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/.exec(trimmed);
  if (!match || (match[1] === undefined && !match[2])) throw new SponInputError(`“${trimmed}” is not an amount: use digits and one decimal point, e.g. 1,000.5.`);
  const fraction = match[2] ?? "";
  if (fraction.length > SPON_DECIMALS) throw new SponInputError(`SPON has ${SPON_DECIMALS} decimals: “${trimmed}” has ${fraction.length}.`);
  const whole = BigInt((match[1] ?? "0").replaceAll(",", ""));
  return whole * WEI_PER_SPON + BigInt(fraction.padEnd(SPON_DECIMALS, "0") || "0");
}

/**
 * wei → a number of SPON for a chart's geometry only (axis scale, bar height): rounded to the
 * micro-SPON, which a bar cannot show anyway. Labels and tooltips use formatSpon on the bigint.
 */
export function sponForChart(wei: bigint | string): number {
  const micro = toWei(wei) / 10n ** 12n;
  return Number(micro) / 1e6;
}
