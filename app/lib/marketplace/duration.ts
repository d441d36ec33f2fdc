/** How long a rental runs: a number of hours, or until it is stopped. `null` hours = until stopped. */
export type DurationChoice = { untilStopped: boolean; hours: string };

export const DEFAULT_DURATION: DurationChoice = { untilStopped: false, hours: "1" };

/** The hours to send, or an error sentence for a bad number. */
export function durationHoursOf(choice: DurationChoice): { hours: number | null; error: string | null } {
  if (choice.untilStopped) return { hours: null, error: null };
  const hours = Number(choice.hours);
  if (!Number.isInteger(hours) || hours < 1) return { hours: null, error: "Enter a whole number of hours, at least 1." };
  if (hours > 720) return { hours: null, error: "At most 720 hours (30 days); choose “until stopped” for longer." };
  return { hours, error: null };
}
