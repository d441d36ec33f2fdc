import { openDatabase, type DatabaseHandle, type Db } from "#db/client";
import { prepareHotStatements } from "#db/hot-statements";
import { migrationsFolder } from "#db/root";
import type { EndpointResolver } from "#agents/runtime/context";
import { BillingService } from "./billing/service";
import type { ServerConfig } from "./env";
import { FlowImporter } from "./import/runner";
import { createKnowledgeService, type KnowledgeServiceOptions } from "./knowledge/host";
import type { KnowledgeService } from "./knowledge/service";
import { createMarketplace } from "./marketplace/from-env";
import type { Marketplace } from "./marketplace/marketplace";
import { ApiKeyService } from "./services/api-keys";
import { DeploymentService } from "./services/deployments";
import { EndpointService } from "./services/endpoints";
import { LeaseBillingSync, stopBilledSubject } from "./services/lease-billing-sync";
import { flowEndpointResolver } from "./services/flow-endpoints";
import { createMarketplaceHost, type MarketplaceHost, type MarketplaceOptions } from "./services/marketplace-host";
import { LoginLimiter } from "./services/login-limiter";
import { sendInvitationEmail, type InvitationEmail } from "./services/mailer";
import { RunStore, type RetryPolicy } from "./services/run-store";
import { markInterruptedRuns, RunService } from "./services/runs";
import { startRuntimeHost, type RuntimeHost } from "./services/runtime-host";
import { loadSecretKey } from "./services/secret-key";
import { ServedAgents } from "./services/served-agents";
import { SignupLimiter } from "./services/signup-limiter";
import { loadSeedTemplates } from "./services/template-seeds";

/**
 * The composition root: every long-lived part of one running Skyloom, built and started in
 * order by createServices and stopped in reverse order by `stop()`. Nothing of it lives in
 * module state, so two Skylooms in one process (tests do this) share nothing: each has its own
 * database, runs in progress, caches and runtime.
 *
 * The tRPC context (`ctx.services`), the /v1 gateway and the HTTP host (server/index.ts) all
 * receive this object. Services that only read and write the database stay plain functions
 * taking `db` (flows, teams, accounts…); what holds state or long-lived resources is here.
 */
export type Services = {
  config: ServerConfig;
  secretKey: Buffer;
  database: DatabaseHandle;
  /** The same as database.db. */
  db: Db;
  loginLimiter: LoginLimiter;
  signupLimiter: SignupLimiter;
  /** The agent runtime's parts: default model (and the dev model), SSRF guard, LLM clients, sandbox pool, endpoints. */
  runtime: RuntimeHost;
  /** Billing in SPON: ledger, /v1 metering and limits always; chain, deposits and payouts when on (ADR 030). */
  billing: BillingService;
  /** Writes runs and settles finished ones with what they cost (run-store.ts, run-settlement.ts). */
  runStore: RunStore;
  /** Knowledge bases: documents, background ingestion jobs (resumed at start), search. */
  knowledge: KnowledgeService;
  /** Runs: start, follow, cancel, read; the runs in progress of this Skyloom. */
  runs: RunService;
  /** Team API keys: the gateway's lookup, creating and revoking. */
  apiKeys: ApiKeyService;
  /** Published agents as the gateway serves them (lookup by slug, pinned graphs). */
  servedAgents: ServedAgents;
  /** Reads uploaded Flowise, Langflow and Dify files in a worker thread (server/import/). */
  importer: FlowImporter;
  /** The compute marketplace MARKETPLACE chose: the embedded local one (ADR 024), kubernetes or spheron (ADR 029). */
  marketplace: Marketplace;
  /**
   * The local marketplace's matchmaker, node protocol handler and embedded node processes (the
   * HTTP host mounts and starts them); null with another MARKETPLACE, where no node joins this host.
   */
  market: MarketplaceHost | null;
  /** Flows deployed on the marketplace: quote, deploy, stop, redeploy (ADR 028). */
  deployments: DeploymentService;
  /** One-click model endpoints, and what the gateway asks of them. */
  endpoints: EndpointService;
  /** Deployments' and endpoints' leases paid from escrow by the second (ADR 031). */
  leaseBilling: LeaseBillingSync;
  mailer: { sendInvitation(mail: InvitationEmail): ReturnType<typeof sendInvitationEmail> };
  /** Stops everything started, in reverse order; the database closes last. */
  stop(): Promise<void>;
};

/** What the host is started from: its configuration, and a secret key when not loaded from it. */
export type ServicesBase = {
  config: ServerConfig;
  /** Omitted: SKYLOOM_SECRET_KEY or the data folder's key file (see secret-key.ts). */
  secretKey?: Buffer;
};

/**
 * Outside systems and test doubles plugged in at start: the compute marketplace's deployments
 * resolve `endpoints`; the chain (billing) starts unless `billing: false`.
 */
export type ServiceAdapters = {
  /** Where model.endpoint nodes are served; omitted, through the flow's deployment on the marketplace. */
  endpoints?: EndpointResolver;
  /** Embedded nodes (default: SKYLOOM_MARKETPLACE_NODES of them) and matchmaker timeouts. */
  marketplace?: MarketplaceOptions;
  /** The default chat model's base URL instead of OPENAI_BASE_URL or the dev model (tests, bench). */
  defaultModelBaseUrl?: string;
  loginLimiter?: LoginLimiter;
  signupLimiter?: SignupLimiter;
  /** Knowledge-base limits or document parser other than the defaults (tests). */
  knowledge?: KnowledgeServiceOptions;
  /** How failed run settlements are retried (tests shorten the delays). */
  runStorageRetry?: RetryPolicy;
  /**
   * false: no chain and nothing metered, whatever SKYLOOM_BILLING says (most tests: starting
   * anvil for each would be slow, and their agents must answer without a balance).
   */
  billing?: boolean;
};

export async function createServices(base: ServicesBase, adapters: ServiceAdapters = {}): Promise<Services> {
  const { config } = base;
  /** What has started so far, to stop in reverse order (also when a later part fails to start). */
  const stops: (() => void | Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const secretKey = base.secretKey ?? loadSecretKey(config);
    const database = openDatabase(config.databasePath, migrationsFolder());
    stops.push(() => database.close());
    const db = database.db;
    markInterruptedRuns(db);
    // Skyloom's own template shelf, from the seed files (added or updated; unchanged ones untouched).
    loadSeedTemplates(db);
    const statements = prepareHotStatements(database.sqlite);

    // Before the run store: a gateway run's settlement posts its usage through billing's meter.
    const billing = await BillingService.start({ config: config.billing, dataDir: config.dataDir, sqlite: database.sqlite, enabled: adapters.billing !== false });
    stops.push(() => billing.stop());

    const runStore = new RunStore(database.sqlite, statements, adapters.runStorageRetry, billing.enabled ? (usages) => billing.meter.postRunsUsage(usages) : undefined);
    // Runs that finished in the last turn are still waiting for their group commit.
    stops.push(() => runStore.stop());

    // `as`: assigned in the callback below, which TypeScript's narrowing does not follow.
    let market = null as MarketplaceHost | null;
    const marketplace = await createMarketplace(config.marketplace, {
      dataDir: config.dataDir,
      // Only MARKETPLACE=local has a matchmaker and node processes in this host; kubernetes and spheron are outside services.
      local: () => {
        const host = createMarketplaceHost({ db, dataDir: config.dataDir, defaultNodeCount: config.marketplaceNodes, ...adapters.marketplace });
        // Nodes first (they hold long polls), then the matchmaker.
        stops.push(() => host.stop());
        market = host;
        return host.marketplace;
      },
    });
    // Leases paid from escrow (billing on): stops before the marketplace and the chain do.
    // The endpoint service is built below; a stop by billing must also drop its cached rows.
    let endpointCache: { forgetCached(): void } | null = null;
    const stopSubject = stopBilledSubject(db, () => endpointCache?.forgetCached());
    const leaseBilling = new LeaseBillingSync({ leases: billing.leases, marketplace, stopSubject, welcome: (teamId) => billing.welcome.credited(teamId) });
    leaseBilling.start();
    stops.push(() => leaseBilling.close());

    const runtime = await startRuntimeHost(config, { defaultModelBaseUrl: adapters.defaultModelBaseUrl, endpoints: adapters.endpoints });
    stops.push(() => runtime.stop());

    const knowledge = createKnowledgeService({ db, secretKey, runtime }, adapters.knowledge);
    // Starting resumes the ingestion jobs a previous run left (killed mid-way or queued).
    knowledge.start();
    stops.push(() => knowledge.close());

    const importer = new FlowImporter();
    stops.push(() => importer.close());

    const deployments = new DeploymentService({ db, secretKey, marketplace, leaseBilling });
    deployments.start();
    stops.push(() => deployments.close());

    // A test's endpoints adapter stands in for every flow's deployment.
    const endpointsFor = adapters.endpoints ? undefined : (scope: { teamId: string; flowId: string | null }) => flowEndpointResolver({ deployments, marketplace }, scope);
    const runs = new RunService({ db, secretKey, runtime, store: runStore, knowledge, endpointsFor });
    // Cancelling first ends the runs' event streams, so open SSE responses finish.
    stops.push(() => runs.stop());

    const endpoints = new EndpointService({ db, statements, marketplace, publicUrl: config.publicUrl, leaseBilling });
    endpointCache = endpoints;
    endpoints.startIdleTimer();
    stops.push(() => endpoints.close());

    return {
      config,
      secretKey,
      database,
      db,
      loginLimiter: adapters.loginLimiter ?? new LoginLimiter(),
      signupLimiter: adapters.signupLimiter ?? new SignupLimiter(config.signupsPerHour),
      runtime,
      billing,
      runStore,
      knowledge,
      runs,
      apiKeys: new ApiKeyService(db, secretKey, statements),
      servedAgents: new ServedAgents(db, statements),
      importer,
      marketplace,
      market,
      deployments,
      endpoints,
      leaseBilling,
      mailer: { sendInvitation: (mail) => sendInvitationEmail(config, mail) },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
