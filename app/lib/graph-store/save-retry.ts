/**
 * What autosave does after a failed save. Pure, so the policy is testable without a network:
 * the caller says what the server answered (a tRPC error code, or none when no answer came)
 * and whether the browser thinks it is online.
 */

export type SaveFailure =
  /** The flow changed elsewhere: the user decides (never retried). */
  | "conflict"
  /** The browser is offline: save when the connection returns. */
  | "offline"
  /** No answer, or the server was briefly in trouble: try again, waiting longer each time. */
  | "unreachable"
  /** The server refused this save (bad input, no permission): retrying would fail the same way. */
  | "refused";

/** Server answers that may well succeed a little later. */
const TRANSIENT_CODES = new Set(["INTERNAL_SERVER_ERROR", "TIMEOUT", "TOO_MANY_REQUESTS", "BAD_GATEWAY", "SERVICE_UNAVAILABLE", "GATEWAY_TIMEOUT", "CLIENT_CLOSED_REQUEST"]);

export function classifySaveFailure(failure: { code: string | undefined; online: boolean }): SaveFailure {
  if (failure.code === "CONFLICT") return "conflict";
  // A server that answered with a refusal was reached, whatever the browser thinks.
  if (failure.code !== undefined && !TRANSIENT_CODES.has(failure.code)) return "refused";
  if (!failure.online) return "offline";
  return "unreachable";
}

export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 30_000;

/** 1 s, 2 s, 4 s … up to 30 s: quick when a blip passes, gentle on a server that is down. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt));
}
