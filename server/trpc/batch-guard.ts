import { TRPCError } from "@trpc/server";
import type { TRPCRequestInfo } from "@trpc/server/http";

/**
 * Auth mutations (log in, sign up, and whatever joins the auth router) must come one per
 * request: a batch of them would carry many password guesses or sign-ups in one request.
 * The limiters count each attempt anyway; refusing the batch outright keeps a request to one
 * attempt and tells a hand-written client what to change. The browser's client sends auth
 * mutations unbatched (app/lib/trpc.tsx).
 */
export function isAuthMutation(call: TRPCRequestInfo["calls"][number]): boolean {
  return call.path.startsWith("auth.") && call.procedure?._def.type === "mutation";
}

/** Throws BAD_REQUEST (HTTP 400) for a batch of more than one call that holds an auth mutation. */
export function refuseBatchedAuth(info: TRPCRequestInfo): void {
  if (!info.isBatchCall || info.calls.length < 2) return;
  const auth = info.calls.filter(isAuthMutation).map((call) => call.path);
  if (auth.length === 0) return;
  throw new TRPCError({
    code: "BAD_REQUEST",
    message: `${[...new Set(auth)].join(", ")} cannot be batched with other calls; send each in a request of its own.`,
  });
}
