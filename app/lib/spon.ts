/**
 * SPON amounts for people: a unit and sensible decimals ("1.25 SPON/h", "0.098 SPON/h",
 * "1,234.50 SPON"). The exact decimal string (the quote's) stays available for a tooltip.
 */
const LARGE = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const SMALL = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 4 });

export type SponUnit = "SPON" | "SPON/h";

export function formatSpon(exact: string | number, unit: SponUnit = "SPON"): string {
  const value = typeof exact === "number" ? exact : Number(exact);
  if (!Number.isFinite(value)) return `${exact} ${unit}`;
  if (value === 0) return `0 ${unit}`;
  const abs = Math.abs(value);
  if (abs < 0.0001) return `${value < 0 ? "-" : ""}< 0.0001 ${unit}`;
  return `${(abs >= 1 ? LARGE : SMALL).format(value)} ${unit}`;
}

export const SPON_EXPLAINED =
  "SPON is the token the compute marketplace is paid in. Prices are per hour; the escrow is the SPON set aside up front " +
  "to pay for the whole rental, and what is not used comes back.";
