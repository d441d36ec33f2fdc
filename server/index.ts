import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequestHandler } from "@remix-run/express";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type Request, type Response } from "express";
import { projectRoot } from "#db/root";
import { GRAPH_LIMITS } from "#agents/graph/index";
import { loadConfig, type EnvSource } from "./env";
import { applyServingHeapPolicy } from "./heap-policy";
import { portInUseMessage } from "./preflight.mjs";
import { clientIpOf, readCookie, SESSION_COOKIE, sessionCookieJar } from "./http/cookies";
import { finalErrorHandler } from "./http/error-handler";
import { builtPages, vitePages } from "./http/pages";
import { newCspNonce, pagePolicy, setSecurityHeaders } from "./http/security-headers";
import { createServices, type ServiceAdapters, type Services } from "./composition";
import { endpointChatHandler } from "./http/endpoint-chat";
import { healthOf } from "./http/health";
import { knowledgeUploadHandler } from "./knowledge/upload-route";
import { statementCsvHandler } from "./billing/statement-route";
import { DEMO_ACCOUNT, seedDemo } from "./services/seed";
import { createGateway, isGatewayRequest } from "./gateway/index";
import { MARKET_BASE_PATH } from "./marketplace/protocol";
import { isMarketplaceRequest } from "./services/marketplace-host";
import { refuseBatchedAuth } from "./trpc/batch-guard";
import { createContext } from "./trpc/context";
import { appRouter, createCaller } from "./trpc/root";

export type RunningSkyloom = {
  url: string;
  services: Services;
  demoSeeded: boolean;
  close(): Promise<void>;
};

/** Room for the largest graph plus the request envelope; larger bodies get 413. */
const MAX_TRPC_BODY_BYTES = GRAPH_LIMITS.maxBytes + 1024 * 1024;

function contextFor(services: Services, req: Request, res: Response) {
  return createContext(services, {
    sessionToken: readCookie(req.headers.cookie, SESSION_COOKIE),
    clientIp: clientIpOf(req),
    cookies: sessionCookieJar(res, services.config.secureCookies),
  });
}

/**
 * Starts Skyloom: configuration, then its services (server/composition.ts: secret key,
 * database with migrations, the agent runtime…), the demo seed, then the HTTP host (Remix
 * pages, tRPC at /api/trpc, the /v1 gateway, /healthz).
 */
export async function startSkyloom(
  env: EnvSource = process.env,
  /**
   * `pages: false` serves the APIs without the Remix build (API tests, benchmarks). With
   * NODE_ENV=development the pages come from Vite's dev server, with hot reload (`npm run dev`).
   */
  options: { pages?: boolean; adapters?: ServiceAdapters } = {},
): Promise<RunningSkyloom> {
  const config = loadConfig(env);
  applyServingHeapPolicy();
  const services = await createServices({ config }, options.adapters);
  try {
    return await serve(services, { ...options, development: env.NODE_ENV === "development" });
  } catch (error) {
    // Nothing listens, so nothing keeps the process alive: let go of what started.
    await services.stop();
    throw error;
  }
}

async function serve(services: Services, options: { pages?: boolean; development: boolean }): Promise<RunningSkyloom> {
  const { config, database } = services;
  const demoSeeded = config.seedDemo ? await seedDemo(database.db) : false;

  const app = express();
  app.disable("x-powered-by");
  app.use((_req, res, next) => {
    setSecurityHeaders(res);
    next();
  });

  app.get("/healthz", (_req, res) => {
    const health = healthOf(services);
    res.status(health.status === "error" ? 503 : 200).json(health);
  });

  app.get("/api/billing/statement.csv", statementCsvHandler(() => services.database.sqlite, (req, res) => contextFor(services, req as Request, res as Response).viewer));
  const endpointChat = endpointChatHandler({
    viewerOf: (req, res) => contextFor(services, req as Request, res as Response).viewer,
    serving: (teamId, endpointId, options) => services.endpoints.serving(teamId, endpointId, options),
    recordRequest: (record) => services.endpoints.recordRequest(record),
  });
  app.post("/api/endpoints/:id/chat", (req, res) => void endpointChat(req, res, req.params.id ?? ""));

  app.post("/api/knowledge/upload", knowledgeUploadHandler(() => services.knowledge, (req, res) => contextFor(services, req as Request, res as Response).viewer));

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
        return contextFor(services, req, res);
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
  const gateway = createGateway(services);
  const server = createServer((req, res) => {
    // Marketplace nodes (embedded or joining with a team's token) speak JSON at /market/v1.
    if (isMarketplaceRequest(req.url)) return services.market ? services.market.handler(req, res) : refuseNodes(res, services.config.marketplace.kind);
    if (!isGatewayRequest(req)) return void app(req, res);
    setSecurityHeaders(res);
    gateway(req, res);
  });

  // The pages come last, after the APIs (the HTTP server exists by now: Vite's hot-reload
  // socket shares it).
  const pagesFrom = options.development ? vitePages : builtPages;
  const pages = options.pages === false ? null : await pagesFrom(projectRoot(), server);
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
        getLoadContext: (req, res) => ({ trpc: createCaller(contextFor(services, req, res)), cspNonce: res.locals.cspNonce as string }),
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
    await pages?.close();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw new PortInUseError(config.port);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  // The embedded nodes join this host's own URL. In the background: starting five processes
  // should not delay the first page; `market.nodesStarted` says when they have all joined. No
  // nodes start with another MARKETPLACE (market is null then).
  const nodeHost = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  services.market?.startNodes(`http://${nodeHost.includes(":") ? `[${nodeHost}]` : nodeHost}:${port}${MARKET_BASE_PATH}`).catch((error: unknown) => {
    console.error("marketplace: the embedded nodes did not start:", error);
  });
  const shownHost = config.host === "0.0.0.0" || config.host === "127.0.0.1" ? "localhost" : config.host;
  return {
    url: `http://${shownHost}:${port}`,
    services,
    demoSeeded,
    close: async () => {
      // Cancelling this host's runs first ends their event streams, so open SSE responses finish.
      await services.runs.stop();
      // Node processes hold long polls open, which would keep the server from closing.
      await services.market?.stopNodes();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await pages?.close();
      // Then the rest in reverse order of their start: pending runs stored, the database last.
      await services.stop();
    },
  };
}

/** With MARKETPLACE=kubernetes or spheron no matchmaker runs here, so a `skyloom node` is told why it cannot join. */
function refuseNodes(res: ServerResponse, kind: string): void {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: `This Skyloom uses MARKETPLACE=${kind}: nodes cannot join it (only MARKETPLACE=local runs a marketplace that nodes join).`, code: "NOT_FOUND" }));
}

/** Another program (or another Skyloom) listens on the configured port. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(portInUseMessage(port));
    this.name = "PortInUseError";
  }
}

export { DEMO_ACCOUNT };
