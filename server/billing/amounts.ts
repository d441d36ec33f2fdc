/**
 * SPON amounts are bigint base units (wei; SPON has 18 decimals) everywhere: never floats.
 * Stored as canonical decimal text (see db/schema/ledger.ts for why not INTEGER).
 */
import { formatUnits, parseUnits } from "viem";

export const SPON_DECIMALS = 18;
export const WEI_PER_SPON = 10n ** 18n;

const CANONICAL = /^-?(0|[1-9][0-9]{0,77})$/;

/** bigint → the text stored in the database. */
export const amountToText = (amount: bigint): string => amount.toString();

/** Stored text → bigint; throws on anything not written by amountToText (no spaces, no "+", no leading zeros). */
export function amountFromText(text: string): bigint {
  if (!CANONICAL.test(text) || text === "-0") throw new Error(`Not a canonical amount: ${JSON.stringify(text)}`);
  return BigInt(text);
}

/** "1.5" SPON → 1500000000000000000n wei. Throws on more than 18 decimals or anything not a number. */
export function sponToWei(spon: string): bigint {
  if (!/^-?\d+(\.\d{1,18})?$/.test(spon.trim())) throw new Error(`Not a SPON amount with at most 18 decimals: ${JSON.stringify(spon)}`);
  return parseUnits(spon.trim(), SPON_DECIMALS);
}

/** 1500000000000000000n wei → "1.5" SPON (exact, for display). */
export const weiToSpon = (wei: bigint): string => formatUnits(wei, SPON_DECIMALS);
