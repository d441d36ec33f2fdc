import { formatSpon, formatSponShort } from "#app/lib/spon-amount";

export type Money = { wei: string };

/**
 * An amount of SPON from its wei: short for reading (every decimal on hover), or `exact` with
 * every significant decimal, as a statement shows a tiny charge.
 */
export function Amount({ value, unit = "SPON", exact: showExact = false, testId, className = "" }: { value: Money | string; unit?: string; exact?: boolean; testId?: string; className?: string }) {
  const wei = typeof value === "string" ? value : value.wei;
  const exact = formatSpon(wei, { unit });
  const short = showExact ? exact : formatSponShort(wei, unit);
  return (
    <span className={`tabular-nums ${className}`} title={exact === short ? undefined : exact} data-testid={testId} data-wei={wei}>
      {short}
    </span>
  );
}
