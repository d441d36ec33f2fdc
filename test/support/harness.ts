import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServices, type ServiceAdapters } from "#server/composition";
import { loadConfig, type EnvSource } from "#server/env";
import { SignupLimiter } from "#server/services/signup-limiter";
import type { ServerCaller } from "#server/trpc/root";
import { sessionCaller } from "./session-caller";

/**
 * A Skyloom backend on a temporary SQLite file, driven through real tRPC callers: the same
 * services the host runs (server/composition.ts), without HTTP. Each `client()` is one
 * browser: it keeps its own session cookie between calls.
 */
export type TestClient = { trpc: ServerCaller; ip: string; readonly token: string | undefined };

export async function createTestBackend(options: { ip?: string; env?: EnvSource; adapters?: ServiceAdapters } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "skyloom-test-"));
  const config = loadConfig({ DATA_DIR: dir, ...options.env });
  const services = await createServices(
    { config, secretKey: Buffer.alloc(32, 7) },
    // Tests sign many people up from one address; the limit itself has tests that pass their own.
    // No embedded marketplace nodes unless a test asks (five processes per backend would be slow);
    // a test that wants them passes adapters.marketplace.nodes and calls market.listenAndStartNodes().
    { signupLimiter: new SignupLimiter(1_000), marketplace: { nodes: [] }, ...options.adapters },
  );

  function client(ip = options.ip ?? "127.0.0.1"): TestClient {
    const session = sessionCaller(services, ip);
    return {
      trpc: session.trpc,
      ip,
      get token() {
        return session.token();
      },
    };
  }

  /** Signs a new person up and returns their logged-in client. */
  async function signedUpClient(email: string, name?: string): Promise<TestClient> {
    const c = client();
    await c.trpc.auth.signup({ email, password: "correct-horse-battery", ...(name ? { name } : {}) });
    return c;
  }

  return {
    services,
    db: services.db,
    sqlite: services.database.sqlite,
    dir,
    client,
    signedUpClient,
    async close() {
      await services.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestBackend = Awaited<ReturnType<typeof createTestBackend>>;
