import type { DeploymentStatusName, LeaseEvent, LeaseServiceState, NodeKind, NodeTier, ServiceNotRun } from "../marketplace/marketplace";
import type { LeaseBilling } from "../billing/lease-billing";
import { money, type Money } from "../billing/money";
import { formatSponPerHour } from "../marketplace/rules";

/**
 * The shapes the deployment, endpoint and node routers answer with (docs/marketplace-api.md).
 * Pages import them as types. Money is never a float: a price is wei per second as a decimal
 * string, with the SPON-per-hour figure already formatted for people.
 */
export type Price = { weiPerSecond: string; sponPerHour: string };

export function priceOf(weiPerSecond: bigint): Price {
  return { weiPerSecond: weiPerSecond.toString(), sponPerHour: formatSponPerHour(weiPerSecond) };
}

/**
 * What a billed deployment's escrow does (ADR 031): held for its lease now, streamed to the
 * provider so far (this lease, and every lease it had), and why billing stopped it.
 */
export type EscrowView = {
  state: "reserved" | "locked" | "leased" | "closed" | "unlocked" | "released";
  held: Money;
  spent: Money;
  totalSpent: Money;
  price: Price | null;
  stopMessage: string | null;
};

/** The escrow view of a marketplace deployment; null when billing is off or it was never billed. */
export function escrowViewOf(leases: LeaseBilling | undefined, marketDeploymentId: string | null, nowMs = Date.now()): EscrowView | null {
  if (!leases?.enabled || !marketDeploymentId) return null;
  const spend = leases.spendOf(marketDeploymentId, nowMs);
  if (!spend) return null;
  return {
    state: spend.state,
    held: money(spend.heldWei),
    spent: money(spend.spentWei),
    totalSpent: money(leases.totalSpentOf(marketDeploymentId, nowMs)),
    price: spend.ratePerSecond === null ? null : priceOf(spend.ratePerSecond),
    stopMessage: spend.stopMessage,
  };
}

export type NodeRef = { id: string; name: string; kind: NodeKind; region: string; tier: NodeTier };

export type DeploymentEventView = {
  seq: number;
  type: LeaseEvent["type"];
  at: number;
  /** The event in one sentence ("Bid from provider-us-east (us-east, secured2): 0.2 SPON/h on a10"). */
  text: string;
  data: Record<string, unknown>;
};

export type BidRow = {
  nodeId: string;
  nodeName: string;
  kind: NodeKind | null;
  region: string | null;
  tier: NodeTier | null;
  gpuModel: string | null;
  /** null for a decline. */
  price: Price | null;
  declined: string | null;
  won: boolean;
  at: number;
};

export type LeaseView = {
  id: string;
  state: "awaiting-manifest" | "active" | "closed";
  price: Price;
  gpuModel: string | null;
  gpuCount: number;
  createdAt: number;
  closedAt: number | null;
  closeReason: string | null;
  services: { name: string; state: LeaseServiceState; message: string | null; notRun: ServiceNotRun | null }[];
};

export type FlowDeploymentSummary = {
  id: string;
  flowId: string;
  flowName: string;
  flowVersionId: string;
  versionNumber: number;
  groupName: string;
  replicas: number;
  durationHours: number | null;
  /** The team's intent: active, being replaced by a newer deployment, or stopped. */
  state: "active" | "replacing" | "stopped";
  /** The marketplace's view: ordering, leased, ready, sleeping, failed, closed. */
  status: DeploymentStatusName;
  message: string | null;
  node: NodeRef | null;
  /** The lease's price, once leased. */
  price: Price | null;
  maxPrice: Price;
  createdAt: number;
  endsAt: number | null;
  replacesId: string | null;
  /** Its escrow (billing on): held, spent so far. */
  escrow: EscrowView | null;
};

export type FlowDeploymentDetail = FlowDeploymentSummary & {
  manifestHash: string;
  order: { id: string; attempt: number; state: "open" | "matched" | "closed"; bidDeadline: number; closedReason: string | null } | null;
  lease: LeaseView | null;
  /** The current order's answers, cheapest bid first, then declines. */
  bids: BidRow[];
  /** What serves the model on the node ("local development model", an operator's upstream). */
  backend: string | null;
};

export type QuoteOffer = {
  nodeName: string;
  region: string;
  tier: NodeTier;
  kind: NodeKind;
  gpuModel: string | null;
  price: Price;
  /** Whether the node runs container images (a node without an engine leases them, not run). */
  runsContainers: boolean;
};

export type QuoteGroup = {
  name: string;
  mode: NodeKind;
  gpu: { count: number; models: string[] } | null;
  /** The catalog's estimate (what the compiler quotes). */
  catalogPrice: Price;
  /** The default maximum price of the order (the compiler's bid price). */
  maxPrice: Price;
  /** The group's container services (not model endpoints), with their images. */
  containers: { service: string; image: string }[];
  /** What live nodes would bid now; empty when none can serve it. */
  offers: QuoteOffer[];
  /** Why the other live nodes would not bid. */
  unavailable: { nodeName: string; reason: string }[];
};

export type DeploymentQuote = {
  flowId: string;
  /** "live": the range comes from nodes' prices now; "catalog": no live node can serve it. */
  source: "live" | "catalog";
  groups: QuoteGroup[];
  /** Per hour for the whole flow: cheapest and dearest live offers (catalog price when none). */
  low: Price;
  high: Price;
  catalog: Price;
};

export type EndpointCatalogEntry = {
  id: string;
  title: string;
  task: "chat" | "embeddings";
  paramsB: number;
  size: "small" | "medium" | "large";
  contextLength: number;
  gated: boolean;
  runtime: string;
  gpu: { id: string; title: string; count: number; reason: string };
  /** The catalog price of that GPU choice, and the live range when nodes offer it now. */
  price: Price;
  live: { low: Price; high: Price; offers: number } | null;
};

export type EndpointStatus = DeploymentStatusName | "stopped";

export type EndpointSummary = {
  id: string;
  slug: string;
  modelId: string;
  modelTitle: string;
  task: "chat" | "embeddings";
  state: "running" | "stopped";
  status: EndpointStatus;
  message: string | null;
  /** The OpenAI base URL clients use (`<host>/v1`); the model name is the slug. */
  url: string;
  gpu: { model: string | null; count: number } | null;
  node: NodeRef | null;
  backend: string | null;
  price: Price | null;
  maxPrice: Price;
  durationHours: number | null;
  idleMinutes: number | null;
  lastRequestAt: number | null;
  createdAt: number;
  /** Its escrow (billing on): held, spent so far. */
  escrow: EscrowView | null;
};

export type EndpointDetail = EndpointSummary & { deploymentId: string | null; manifestHash: string | null; lease: LeaseView | null; bids: BidRow[] };

export type MetricsPoint = {
  at: number;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Completion tokens per second of wall time in the bucket. */
  tokensPerSecond: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
};

export type EndpointMetrics = {
  sinceMs: number;
  bucketMs: number;
  points: MetricsPoint[];
  totals: { requests: number; errors: number; promptTokens: number; completionTokens: number; latencyP50Ms: number | null; latencyP99Ms: number | null };
};

export type MarketNodeView = NodeRef & {
  status: "up" | "down";
  gpus: { model: string; count: number }[];
  freeGpus: { model: string; count: number }[];
  backend: string | null;
  lastHeartbeatAt: number;
  /** Where its earnings are paid (`--payout-address`); null: an address derived from its id. */
  payoutAddress: string | null;
};
