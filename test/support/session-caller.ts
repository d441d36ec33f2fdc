import type { Services } from "#server/composition";
import { createContext } from "#server/trpc/context";
import { createCaller, type ServerCaller } from "#server/trpc/root";

/**
 * A tRPC caller that behaves like one browser: it keeps the session cookie that auth
 * procedures set, and builds a fresh context per call, as HTTP does per request.
 */
export function sessionCaller(services: Services, ip = "127.0.0.1"): { trpc: ServerCaller; token(): string | undefined } {
  let token: string | undefined;
  const cookies = {
    set: (t: string) => {
      token = t;
    },
    clear: () => {
      token = undefined;
    },
  };
  const trpc = new Proxy({} as ServerCaller, {
    get(_target, key) {
      const caller = createCaller(createContext(services, { sessionToken: token, clientIp: ip, cookies }));
      return (caller as unknown as Record<string | symbol, unknown>)[key];
    },
  });
  return { trpc, token: () => token };
}
