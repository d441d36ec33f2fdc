import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import type { RunEvent } from "#agents/runtime/events";
import type { AppRouter } from "#server/trpc/root";

let client: ReturnType<typeof createTRPCClient<AppRouter>> | null = null;

/** A tRPC client for subscriptions only: run events arrive over SSE (EventSource). */
function subscriptionClient() {
  client ??= createTRPCClient<AppRouter>({ links: [httpSubscriptionLink({ url: "/api/trpc" })] });
  return client;
}

/** Follows a run's events until run.finish; returns a function that stops listening. */
export function followRun(
  runId: string,
  handlers: { onEvent(event: RunEvent): void; onError(message: string): void; onDone(): void },
): () => void {
  let finished = false;
  const subscription = subscriptionClient().run.events.subscribe(
    { id: runId },
    {
      onData(tracked) {
        const e = tracked.data as RunEvent;
        handlers.onEvent(e);
        if (e.type === "run.finish") {
          finished = true;
          handlers.onDone();
          subscription.unsubscribe();
        }
      },
      onError(error) {
        if (!finished) handlers.onError(error.message);
      },
      onComplete() {
        if (!finished) handlers.onDone();
      },
    },
  );
  return () => subscription.unsubscribe();
}
