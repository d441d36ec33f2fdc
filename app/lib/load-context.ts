import type { ServerCaller } from "#server/trpc/root";

/**
 * What the Node host hands every loader: a tRPC caller bound to the request's session, so
 * pages read data through the same procedures (and the same tenancy checks) as the API; and
 * the nonce of this page's Content-Security-Policy, for the inline scripts app/entry.server.tsx
 * renders.
 */
declare module "@remix-run/node" {
  interface AppLoadContext {
    trpc: ServerCaller;
    cspNonce: string;
  }
  interface Future {
    v3_singleFetch: true;
  }
}

export {};
