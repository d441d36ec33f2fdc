import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "#db/client";
import { migrationsFolder } from "#db/root";
import { loadConfig, type EnvSource } from "#server/env";
import { LoginLimiter } from "#server/services/login-limiter";
import { SignupLimiter } from "#server/services/signup-limiter";
import type { AppDeps } from "#server/trpc/context";
import type { ServerCaller } from "#server/trpc/root";
import { sessionCaller } from "./session-caller";

/**
 * A Skyloom backend on a temporary SQLite file, driven through real tRPC callers. Each
 * `client()` is one browser: it keeps its own session cookie between calls.
 */
export type TestClient = { trpc: ServerCaller; ip: string; readonly token: string | undefined };

export function createTestBackend(
  options: { ip?: string; loginLimiter?: LoginLimiter; signupLimiter?: SignupLimiter; env?: EnvSource } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "skyloom-test-"));
  const config = loadConfig({ DATA_DIR: dir, ...options.env });
  const database = openDatabase(config.databasePath, migrationsFolder());
  const deps: AppDeps = {
    database,
    config,
    loginLimiter: options.loginLimiter ?? new LoginLimiter(),
    // Tests sign many people up from one address; the limit itself has tests that pass their own.
    signupLimiter: options.signupLimiter ?? new SignupLimiter(1_000),
    secretKey: Buffer.alloc(32, 7),
  };

  function client(ip = options.ip ?? "127.0.0.1"): TestClient {
    const session = sessionCaller(deps, ip);
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
    deps,
    db: database.db,
    sqlite: database.sqlite,
    dir,
    client,
    signedUpClient,
    close() {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestBackend = ReturnType<typeof createTestBackend>;
