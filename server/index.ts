import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequestHandler } from "@remix-run/express";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type Request, type Response } from "express";
import { openDatabase } from "#db/client";
import { migrationsFolder, projectRoot } from "#db/root";
import { GRAPH_LIMITS } from "#agents/graph/index";
import { loadConfig, type EnvSource } from "./env";
import { applyServingHeapPolicy } from "./heap-policy";
import { portInUseMessage } from "./preflight.mjs";
import { clientIpOf, readCookie, SESSION_COOKIE, sessionCookieJar } from "./http/cookies";
import { finalErrorHandler } from "./http/error-handler";
import { builtPages, vitePages } from "./http/pages";
import { newCspNonce, pagePolicy, setSecurityHeaders } from "./http/security-headers";
import { LoginLimiter } from "./services/login-limiter";
import { SignupLimiter } from "./services/signup-limiter";
import { cancelAllRuns, markInterruptedRuns } from "./services/runs";
import { storeFinishedRuns } from "./services/run-trace";
import { closeRuntimeHost, runtimeHost } from "./services/runtime-host";
import { loadSecretKey } from "./services/secret-key";
import { DEMO_ACCOUNT, seedDemo } from "./services/seed";
import { gatewayFor, isGatewayRequest } from "./gateway/index";
import { refuseBatchedAuth } from "./trpc/batch-guard";
import { createContext, type AppDeps } from "./trpc/context";
import { appRouter, createCaller } from "./trpc/root";

export type RunningSkyloom = {
  url: string;
  deps: AppDeps;
  demoSeeded: boolean;
  close(): Promise<void>;
};

/** Room for the largest graph plus the request envelope; larger bodies get 413. */
const MAX_TRPC_BODY_BYTES = GRAPH_LIMITS.maxBytes + 1024 * 1024;

function contextFor(deps: AppDeps, req: Request, res: Response) {
  return createContext(deps, {
    sessionToken: readCookie(req.headers.cookie, SESSION_COOKIE),
    clientIp: clientIpOf(req),
    cookies: sessionCookieJar(res, deps.config.secureCookies),
  });
}

/**
 * Starts Skyloom: configuration, data folder, secret key, database with migrations, demo seed,
 * then the HTTP host (Remix pages, tRPC at /api/trpc, /healthz).
 */
export async function startSkyloom(
  env: EnvSource = process.env,
  /**
   * `pages: false` serves the APIs without the Remix build (API tests, benchmarks). With
   * NODE_ENV=development the pages come from Vite's dev server, with hot reload (`npm run dev`).
   */
  options: { pages?: boolean } = {},
): Promise<RunningSkyloom> {
  const config = loadConfig(env);
  applyServingHeapPolicy();
  const secretKey = loadSecretKey(config);
  const database = openDatabase(config.databasePath, migrationsFolder());
  const demoSeeded = config.seedDemo ? await seedDemo(database.db) : false;
  const deps: AppDeps = {
    database,
    config,
    loginLimiter: new LoginLimiter(),
    signupLimiter: new SignupLimiter(config.signupsPerHour),
    secretKey,
  };
  // The agent runtime: the local development model (the default for an empty base URL) starts here.
  markInterruptedRuns(database.db);
  await runtimeHost(deps);

  const app = express();
  app.disable("x-powered-by");
  app.use((_req, res, next) => {
    setSecurityHeaders(res);
    next();
  });

  app.get("/healthz", (_req, res) => {
    try {
      database.sqlite.prepare("select 1").get();
      res.json({ status: "ok" });
    } catch (error) {
      console.error("healthz: the database does not answer:", error);
      res.status(503).json({ status: "error", message: "The database does not answer; the server log has the details." });
    }
  });

  // Refuse oversized bodies up front, before auth or parsing; tRPC's own limit catches bodies
  // sent without a Content-Length.
  app.use("/api/trpc", (req, res, next) => {
    if (Number(req.headers["content-length"] ?? 0) > MAX_TRPC_BODY_BYTES) {
      res.status(413).json({
        error: { message: `The request body is over ${MAX_TRPC_BODY_BYTES / 1024 / 1024} MB.`, code: "PAYLOAD_TOO_LARGE" },
      });
      return;
    }
    next();
  });
  app.use(
    "/api/trpc",
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: MAX_TRPC_BODY_BYTES,
      createContext: ({ req, res, info }) => {
        refuseBatchedAuth(info);
        return contextFor(deps, req, res);
      },
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
      },
    }),
  );

  // The OpenAI-compatible API for published agents (its own auth, errors, limits and CORS) is
  // answered on plain node:http, before Express. Express re-prototypes every request and
  // response it handles (Object.setPrototypeOf), which makes V8 keep them, and all they refer
  // to, through its young-generation collections: under API load the host's memory swelled by
  // about 100 MiB between full collections, and Express's routing cost CPU the API does not need.
  const gateway = gatewayFor(deps);
  const server = createServer((req, res) => {
    if (!isGatewayRequest(req)) return void app(req, res);
    setSecurityHeaders(res);
    gateway(req, res);
  });

  // The pages come last, after the APIs (the HTTP server exists by now: Vite's hot-reload
  // socket shares it).
  const root = projectRoot();
  const pagesFrom = env.NODE_ENV === "development" ? vitePages : builtPages;
  const pages = options.pages === false ? null : await pagesFrom(root, server).catch(async (error: unknown) => {
    await closeRuntimeHost(deps);
    database.close();
    throw error;
  });
  if (pages) {
    app.use(pages.assets);
    // Every page gets its own script nonce (docs/decisions/011); Remix renders it on its inline
    // scripts. app.use, not app.all("*"): Express decodes a route's path parameters and would
    // fail on a malformed URL before Remix sees it.
    app.use((_req, res, next) => {
      const nonce = newCspNonce();
      res.locals.cspNonce = nonce;
      res.setHeader("Content-Security-Policy", pagePolicy(nonce));
      next();
    });
    app.use(
      createRequestHandler({
        build: pages.build,
        // Always: Remix then replaces loader errors with "Unexpected Server Error" in what it sends.
        mode: "production",
        getLoadContext: (req, res) => ({ trpc: createCaller(contextFor(deps, req, res)), cspNonce: res.locals.cspNonce as string }),
      }),
    );
  }
  app.use(finalErrorHandler);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
      server.listen(config.port, config.host);
    });
  } catch (error) {
    // Nothing listens, so nothing keeps the process alive: let go of what started above.
    await pages?.close();
    await closeRuntimeHost(deps);
    database.close();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw new PortInUseError(config.port);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === "0.0.0.0" || config.host === "127.0.0.1" ? "localhost" : config.host;
  return {
    url: `http://${shownHost}:${port}`,
    deps,
    demoSeeded,
    close: async () => {
      // Cancelling first ends the runs' event streams, so open SSE responses finish.
      cancelAllRuns();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await pages?.close();
      await closeRuntimeHost(deps);
      // Runs that finished in this last turn are still waiting for their group commit.
      storeFinishedRuns(database.db);
      database.close();
    },
  };
}

/** Another program (or another Skyloom) listens on the configured port. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(portInUseMessage(port));
    this.name = "PortInUseError";
  }
}

export { DEMO_ACCOUNT };
