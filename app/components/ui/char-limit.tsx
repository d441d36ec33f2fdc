import { useEffect, useState, type ClipboardEvent } from "react";

/**
 * Length limits a person can see. A field with `maxLength` silently drops what does not fit
 * (a long paste just stops), so the field shows a counter near its limit and says when a
 * paste was cut.
 */

/** 1980 → "1,980", the way the counter and the messages write numbers. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** From this share of the limit on, a counter that is not always shown appears. */
export const NEAR_LIMIT = 0.8;

type TextField = { value: string; selectionStart: number | null; selectionEnd: number | null };

/**
 * Characters of a paste that will not fit: the browser inserts the pasted text in place of
 * the selection and keeps only what fits under `maxLength`. Line breaks count as one character
 * (the browser turns \r\n into \n); a one-line input drops them.
 */
export function charsCutByPaste(field: TextField, pasted: string, maxLength: number, multiline: boolean): number {
  const text = multiline ? pasted.replace(/\r\n?/g, "\n") : pasted.replace(/[\r\n]/g, "");
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? field.value.length;
  const room = maxLength - (field.value.length - (end - start));
  return Math.max(0, text.length - Math.max(0, room));
}

/**
 * How many pasted characters the field's limit cut off last, kept until the text is below the
 * limit again (the person made room, or the field was cleared).
 */
export function useCutByPaste(length: number, maxLength: number | undefined) {
  const [cut, setCut] = useState(0);
  useEffect(() => {
    if (maxLength === undefined || length < maxLength) setCut(0);
  }, [length, maxLength]);
  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement | HTMLInputElement>) => {
    if (maxLength === undefined) return;
    const overflow = charsCutByPaste(e.currentTarget, e.clipboardData.getData("text"), maxLength, e.currentTarget instanceof HTMLTextAreaElement);
    if (overflow > 0) setCut(overflow);
  };
  return { cut, onPaste };
}

/**
 * The counter ("1,980 / 2,000") and, after a paste that did not fit, what was left out. The
 * counter shows when `always`, or from NEAR_LIMIT of the limit on; amber near the limit, red
 * at or over it.
 */
export function CharLimit({
  length,
  maxLength,
  cut = 0,
  always = false,
  testId,
}: {
  length: number;
  maxLength: number;
  cut?: number;
  always?: boolean;
  testId: string;
}) {
  const share = length / maxLength;
  if (!always && share < NEAR_LIMIT && cut === 0) return null;
  const tone = share >= 1 ? "text-red-600" : share >= 0.9 ? "text-amber-700" : "text-slate-400";
  return (
    <div className="mt-1 flex items-start justify-between gap-2 text-[11px] leading-4">
      <span role="status" className="text-amber-800" data-testid={`${testId}-cut`}>
        {cut > 0 && `The paste was cut at the ${formatCount(maxLength)}-character limit: its last ${formatCount(cut)} characters were left out.`}
      </span>
      <span className={`shrink-0 tabular-nums ${tone}`} data-testid={`${testId}-count`} title={`At most ${formatCount(maxLength)} characters`}>
        {formatCount(length)} / {formatCount(maxLength)}
      </span>
    </div>
  );
}
