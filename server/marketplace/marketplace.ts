/**
 * The compute marketplace, as the rest of Skyloom sees it (DESIGN §6): one interface, several
 * implementations (`local` here; `kubernetes` and `spheron` adapters later). Routers, the
 * gateway and the runtime's EndpointResolver call only this.
 *
 * Vocabulary follows the marketplace spec (specs/marketplace-and-billing.md §1): a tenant's
 * deployment places an ORDER; nodes answer with BIDS; the matchmaker picks one and creates a
 * LEASE; the node accepts the MANIFEST only if its hash equals the order's; a failover closes
 * the lease and places a new order for the same deployment (same id, same endpoint).
 *
 * Money is SPON base units (18 decimals) as bigint: prices are wei per second, the unit the
 * escrow contract streams in (spec §3), so quotes and bills never disagree by rounding.
 */

export type NodeKind = "provider" | "fizz";

/** Spheron's trust tiers (spheron-and-akash.md §1): secured1–3 are data centres, community1–4 the rest. */
export const NODE_TIERS = ["secured1", "secured2", "secured3", "community1", "community2", "community3", "community4"] as const;
export type NodeTier = (typeof NODE_TIERS)[number];

/** What an order accepts: one tier, a family (`secured`, `community`) or every tier. */
export type TierRequirement = NodeTier | "secured" | "community" | "community-default";

export type GpuInventory = { model: string; count: number };

export type NodeInventory = {
  gpus: GpuInventory[];
  cpu: number;
  memoryGi: number;
  storageGi: number;
};

export type NodeCapabilities = {
  /** Serves model-serving workloads as an OpenAI-compatible server from this backend. */
  modelServing: { backend: "dev-model" | "upstream"; label: string } | null;
  /** Runs container images. No container engine exists here, so local nodes say false. */
  containers: boolean;
  /** What the node charges, wei per second per unit (decimal strings); absent from older nodes. */
  prices?: { cpuCore: string; memoryGi: string; storageGi: string; gpu: Record<string, string> };
};

export type MarketNode = {
  id: string;
  kind: NodeKind;
  name: string;
  region: string;
  tier: NodeTier;
  inventory: NodeInventory;
  capabilities: NodeCapabilities;
  status: "up" | "down";
  lastHeartbeatAt: number;
  /** Where its lease earnings are paid (checksummed); null or absent: an address derived from its id. */
  payoutAddress?: string | null;
};

/** One service of a deployment, as the manifest describes it to the node. */
export type ManifestService = {
  name: string;
  image: string;
  /** Set for model-serving services: the model an OpenAI client names. */
  serves: { model: string; servedName: string; runtime: string } | null;
  ports: { port: number; public: boolean; http: boolean }[];
  replicas: number;
};

/**
 * What nodes receive: the services to run and the compiled target manifest they came from.
 * Its sha256 is the order's manifest hash; a node runs nothing that does not match it.
 */
export type DeploymentManifest = {
  format: "skyloom-local/1";
  name: string;
  services: ManifestService[];
  /** The compiled Spheron ICL the services were taken from (for people and audits). */
  icl: string;
};

/** What a node must offer to bid on an order (should-bid filters, spec §1.2). */
export type OrderRequirements = {
  mode: NodeKind;
  tier: TierRequirement;
  /** Region slugs; empty means anywhere. */
  regions: string[];
  cpu: number;
  memoryGi: number;
  storageGi: number;
  shmGi: number;
  persistentStorage: boolean;
  /** Ports exposed as 80/443 (HTTP ingress), which fizz nodes do not offer. */
  ingressPorts: boolean;
  replicas: number;
  /** GPUs per replica and the models any of which will do; null for CPU-only. */
  gpu: { count: number; models: string[] } | null;
  /** Workload kinds in the manifest, so a node without a container engine can say no. */
  needsContainers: boolean;
  needsModelServing: boolean;
};

export type Budget = {
  /** The most the tenant pays, for the whole deployment, in wei per second. */
  maxPriceWeiPerSecond: bigint;
  durationSeconds: number;
  /** Escrow the tenant has set aside; must cover max price × duration (spec §1.1). */
  escrowWei: bigint;
};

export type CreateDeploymentInput = {
  teamId: string;
  name: string;
  manifest: DeploymentManifest;
  requirements: OrderRequirements;
  budget: Budget;
  /** The compiler's kubernetes manifests for these workloads (what the kubernetes marketplace applies). */
  kubernetesManifest?: string;
};

export type DeploymentRef = { teamId: string; deploymentId: string };

export type Offer = {
  nodeId: string;
  kind: NodeKind;
  name: string;
  region: string;
  tier: NodeTier;
  gpus: GpuInventory[];
  /** GPUs not held by an active lease. */
  freeGpus: GpuInventory[];
  backend: string | null;
  cpu: number;
  memoryGi: number;
  storageGi: number;
  capabilities: NodeCapabilities;
};

/**
 * "not-run": the service is leased, billed and monitored, but the node does not run it (a
 * container image on a node without a container engine). Settled like "ready", never served.
 */
export type LeaseServiceState = "starting" | "ready" | "unhealthy" | "not-run" | "failed";
/** Why a "not-run" service is not run, for the UI to say so without reading the message. */
export type ServiceNotRun = { reason: "no-container-engine"; image: string };
export type LeaseServiceStatus = {
  name: string;
  state: LeaseServiceState;
  /** OpenAI-compatible base URL of a ready model service, e.g. http://127.0.0.1:41234/v1 */
  uri: string | null;
  message: string | null;
  /** Set exactly when state is "not-run". */
  notRun?: ServiceNotRun | null;
};

export type LeaseMetrics = {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Latency of answered requests in ms (first byte): median and 99th percentile. */
  latencyP50Ms: number;
  latencyP99Ms: number;
};

export type LeaseCloseReason =
  | "tenant-closed"
  | "node-down"
  | "manifest-timeout"
  | "manifest-rejected"
  | "workload-failed"
  | "expired"
  | "idle"
  | "node-closed";

export type Lease = {
  id: string;
  deploymentId: string;
  orderId: string;
  nodeId: string;
  priceWeiPerSecond: bigint;
  gpuModel: string | null;
  gpuCount: number;
  state: "awaiting-manifest" | "active" | "closed";
  createdAt: number;
  services: LeaseServiceStatus[];
  metrics: LeaseMetrics | null;
  closedAt: number | null;
  closeReason: LeaseCloseReason | null;
};

export type Bid = {
  orderId: string;
  nodeId: string;
  priceWeiPerSecond: bigint;
  gpuModel: string | null;
  createdAt: number;
};

export type Order = {
  id: string;
  deploymentId: string;
  attempt: number;
  state: "open" | "matched" | "closed";
  createdAt: number;
  bidDeadline: number;
  excludedNodes: string[];
  closedReason: string | null;
};

export type DeploymentStatusName = "ordering" | "leased" | "ready" | "sleeping" | "failed" | "closed";

export type DeploymentStatus = {
  id: string;
  teamId: string;
  name: string;
  status: DeploymentStatusName;
  message: string | null;
  manifestHash: string;
  maxPriceWeiPerSecond: bigint;
  durationSeconds: number;
  createdAt: number;
  endsAt: number | null;
  order: Order | null;
  lease: Lease | null;
  /** Node of the current lease. */
  node: Pick<MarketNode, "id" | "kind" | "name" | "region" | "tier"> | null;
};

/** The event log of a deployment; names follow the spec where it has one (§1). */
export type LeaseEventType =
  | "OrderCreated"
  | "BidPlaced"
  | "BidDeclined"
  | "OrderMatched"
  | "OrderClosed"
  | "LeaseCreated"
  | "ManifestReceived"
  | "ManifestRejected"
  | "ServiceStarting"
  | "ServiceReady"
  | "ServiceNotRun"
  | "ServiceUnhealthy"
  | "ServiceFailed"
  | "NodeDown"
  | "LeaseClosed"
  | "DeploymentSleeping"
  | "DeploymentWaking"
  | "DeploymentClosed";

export type LeaseEvent = {
  /** Increasing per marketplace; `events(ref, {after})` resumes from one. */
  seq: number;
  deploymentId: string;
  type: LeaseEventType;
  at: number;
  data: Record<string, unknown>;
};

/** Where an OpenAI client reaches a deployment's model now (the gateway and the runtime use it). */
export type ServingEndpoint = { baseUrl: string; apiKey: string; model: string; leaseId: string; nodeId: string };

export type LogLine = { at: number; leaseId: string; line: string };

export interface Marketplace {
  /** Nodes that are up, with what they hold and what is free (the quote's live offers). */
  listOffers(): Promise<Offer[]>;
  /** Every node that ever joined, up or down (Settings → Nodes). */
  listNodes(): Promise<MarketNode[]>;
  /** Checks the input (escrow, fizz limits) and places the first order. */
  createDeployment(input: CreateDeploymentInput): Promise<DeploymentStatus>;
  status(ref: DeploymentRef): Promise<DeploymentStatus>;
  /** The deployment's events from `after` on, then live ones until the signal aborts. */
  events(ref: DeploymentRef, options?: { after?: number; signal?: AbortSignal }): AsyncIterable<LeaseEvent>;
  /** The logs of every lease the deployment had, oldest first. */
  logs(ref: DeploymentRef, options?: { limit?: number }): Promise<LogLine[]>;
  /**
   * Where the deployment's model is served now. Waits (bounded) while a lease is being ordered
   * or started, so a request during a failover waits instead of failing; wakes a sleeping one.
   */
  endpoint(ref: DeploymentRef, options?: { model?: string; timeoutMs?: number; signal?: AbortSignal }): Promise<ServingEndpoint>;
  /**
   * The caller could not connect to the URI `endpoint()` gave (the node may be dead but not yet
   * declared down). The marketplace checks it itself; when it is unreachable the lease closes
   * and the deployment orders again at once, so the caller's next `endpoint()` waits for the
   * new lease instead of failing. A reachable URI changes nothing (`reordered: false`).
   */
  reportUnreachable(ref: DeploymentRef, report: { leaseId: string; error: string }): Promise<{ reordered: boolean }>;
  /** Scale to zero: ends the lease (reason "idle") but keeps the deployment, its id and endpoint. */
  sleep(ref: DeploymentRef): Promise<DeploymentStatus>;
  /** Orders a lease again for a sleeping deployment (endpoint() does it on the next request). */
  wake(ref: DeploymentRef): Promise<DeploymentStatus>;
  /**
   * Closes the lease and the deployment for good (tenant-closed). Idempotent. `message` says why
   * when it is not the tenant's own stop (billing: "Funds ran out: …"), for the event and status.
   */
  close(ref: DeploymentRef, options?: { message?: string }): Promise<DeploymentStatus>;
}

/** A domain error with a code the routers map to a TRPCError. */
export class MarketplaceError extends Error {
  override name = "MarketplaceError";
  constructor(
    readonly code: "BAD_REQUEST" | "NOT_FOUND" | "CONFLICT" | "UNAUTHORIZED" | "TIMEOUT" | "UNAVAILABLE",
    message: string,
  ) {
    super(message);
  }
}

export const SPON_DECIMALS = 18;
export const WEI_PER_SPON = 10n ** BigInt(SPON_DECIMALS);
export const SECONDS_PER_HOUR = 3600n;
