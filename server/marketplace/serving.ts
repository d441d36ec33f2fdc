import { MarketplaceError, type DeploymentRef, type Marketplace, type ServingEndpoint } from "./marketplace";

/**
 * Sending a request to a deployment's model through a failover (ADR 029). `endpoint()` may hand
 * out the URI of a node that died a moment ago and is not yet declared down; when the
 * connection fails before any response arrived, nothing reached the model, so the request is
 * safe to send again: report the URI, wait (bounded) for the re-ordered lease, and resend.
 * A failure after the response started is the caller's (its bytes may already be with the client).
 */

/** Errors where no byte of the request was answered: connection refused, reset, unreachable. */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_CLOSED"]);

export function connectionFailure(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** Where a request goes now, and how to tell the marketplace that a URI it gave was dead. */
export type ServingSource = {
  endpoint(options: { timeoutMs: number; signal?: AbortSignal }): Promise<ServingEndpoint>;
  reportUnreachable(endpoint: ServingEndpoint, error: string): Promise<{ reordered: boolean }>;
};

/** How long to wait before asking again when the marketplace found the URI reachable. */
const RECHECK_MS = 100;

/**
 * Sends through whichever lease serves now; on a connection failure (nothing answered) reports
 * the URI and sends again once a lease serves, until `timeoutMs` has passed in all.
 */
export async function sendWithFailover<T>(
  source: ServingSource,
  options: { timeoutMs: number; signal?: AbortSignal },
  send: (endpoint: ServingEndpoint) => Promise<T>,
): Promise<{ result: T; endpoint: ServingEndpoint; failovers: number }> {
  const deadline = Date.now() + options.timeoutMs;
  let failovers = 0;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new MarketplaceError("TIMEOUT", "The endpoint did not come back in time after its node failed; try again shortly.");
    const endpoint = await source.endpoint({ timeoutMs: left, signal: options.signal });
    try {
      return { result: await send(endpoint), endpoint, failovers };
    } catch (error) {
      const code = connectionFailure(error);
      if (!code || options.signal?.aborted) throw error;
      failovers += 1;
      const { reordered } = await source.reportUnreachable(endpoint, code);
      if (!reordered) await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
    }
  }
}

/** `sendWithFailover` for a deployment of a marketplace (tests, benches, the runtime). */
export function sendToDeployment<T>(
  marketplace: Marketplace,
  ref: DeploymentRef,
  options: { timeoutMs: number; signal?: AbortSignal; model?: string },
  send: (endpoint: ServingEndpoint) => Promise<T>,
): Promise<{ result: T; endpoint: ServingEndpoint; failovers: number }> {
  const source: ServingSource = {
    endpoint: (o) => marketplace.endpoint(ref, { ...o, model: options.model }),
    reportUnreachable: (endpoint, error) => marketplace.reportUnreachable(ref, { leaseId: endpoint.leaseId, error }),
  };
  return sendWithFailover(source, options, send);
}
