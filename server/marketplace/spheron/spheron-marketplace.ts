import { randomBytes } from "node:crypto";
import {
  MarketplaceError,
  type CreateDeploymentInput,
  type DeploymentRef,
  type DeploymentStatus,
  type LeaseEvent,
  type LeaseServiceStatus,
  type LogLine,
  type Marketplace,
  type MarketNode,
  type Offer,
  type ServingEndpoint,
} from "../marketplace";
import { pause, polledEvents } from "../polled-events";
import { manifestHash, serializeManifest } from "../rules";
import { SpheronDeploymentFile, type SpheronDeploymentRecord } from "./state-file";

/**
 * The Spheron marketplace (ADR 029) on `@spheron/protocol-sdk` 1.3.5, the only published
 * version (ESM import; Node 20). The SDK does the protocol: it parses the ICL, checks the
 * escrow balance, sends `OrderRequest.createOrder`, waits (≤ 60 s) for `OrderMatched` on a
 * WebSocket, and sends the manifest to the provider through the provider proxy. This adapter
 * keeps which lease belongs to which team (a state file: the chain knows only the wallet) and
 * maps the lease and the provider's lease status onto `DeploymentStatus`.
 *
 * Limits of 1.3.5, stated rather than hidden: it is hard-wired to Base Sepolia through an
 * Alchemy URL inside the SDK; it has no inventory API (no live offers); a lease cannot be
 * scaled to zero (sleep refuses); failover is the provider's (a lease is not re-ordered here).
 */
export type SpheronSdk = {
  deployment: {
    createDeployment(icl: string, providerProxyUrl: string): Promise<{ leaseId: unknown }>;
    getDeployment(leaseId: string, providerProxyUrl: string): Promise<unknown>;
    getDeploymentLogs(leaseId: string, providerProxyUrl: string, options?: { tail?: number }): Promise<unknown>;
    closeDeployment(leaseId: string): Promise<unknown>;
  };
  leases: { getLeaseDetails(leaseId: string): Promise<{ state?: string; acceptedPrice?: number; providerAddress?: string; startTime?: number; endTime?: number }> };
};

export type SpheronMarketplaceOptions = { providerProxyUrl: string; stateFile: string; pollMs?: number };

type LeaseStatus = { services?: Record<string, { available?: number; total?: number; ready_replicas?: number; uris?: string[] }>; forwarded_ports?: Record<string, { host?: string; port?: number; externalPort?: number }[]> };

export class SpheronMarketplace implements Marketplace {
  private readonly records: SpheronDeploymentFile;
  private readonly pollMs: number;
  /** Orders in flight (createDeployment waits up to a minute for a match). */
  private readonly ordering = new Map<string, Promise<void>>();

  constructor(
    private readonly sdk: SpheronSdk,
    private readonly options: SpheronMarketplaceOptions,
  ) {
    this.records = new SpheronDeploymentFile(options.stateFile);
    this.pollMs = options.pollMs ?? 2000;
  }

  /** Builds the real SDK (it connects to its RPC at once) and keeps its WebSocket's errors from crashing the host. */
  static async create(options: SpheronMarketplaceOptions & { privateKey: string }): Promise<SpheronMarketplace> {
    const { SpheronSDK } = await import("@spheron/protocol-sdk");
    const sdk = new SpheronSDK("testnet", options.privateKey);
    const socket = (sdk.leases as unknown as { websocketProvider?: { websocket?: { on?: (e: string, f: (error: Error) => void) => void } } }).websocketProvider?.websocket;
    socket?.on?.("error", (error) => console.warn(`spheron: the SDK's WebSocket failed: ${error.message}`));
    return new SpheronMarketplace(sdk as unknown as SpheronSdk, options);
  }

  /** SDK 1.3.5 has no inventory call: there are no live offers to show. */
  async listOffers(): Promise<Offer[]> {
    return [];
  }

  /** Nor a provider list (the registry has one on chain; 1.3.5 reads it one address at a time). */
  async listNodes(): Promise<MarketNode[]> {
    return [];
  }

  async createDeployment(input: CreateDeploymentInput): Promise<DeploymentStatus> {
    const icl = input.manifest.icl;
    if (!icl.trim()) throw new MarketplaceError("BAD_REQUEST", "Compile the flow with the spheron-icl target to deploy it on Spheron.");
    const manifest = serializeManifest(input.manifest);
    const record: SpheronDeploymentRecord = {
      id: `sph-${randomBytes(8).toString("hex")}`,
      teamId: input.teamId,
      name: input.name.slice(0, 200),
      manifest,
      manifestHash: manifestHash(manifest),
      maxPriceWeiPerSecond: input.budget.maxPriceWeiPerSecond.toString(),
      durationSeconds: input.budget.durationSeconds,
      createdAt: Date.now(),
      leaseId: null,
      state: "ordering",
      message: null,
    };
    this.records.put(record);
    const order = this.sdk.deployment
      .createDeployment(icl, this.options.providerProxyUrl)
      .then(({ leaseId }) => this.records.update(record.id, { leaseId: String(leaseId), state: "leased" }))
      .catch((error: unknown) => this.records.update(record.id, { state: "failed", message: `Spheron did not lease it: ${describe(error)}` }))
      .finally(() => this.ordering.delete(record.id));
    this.ordering.set(record.id, order);
    return this.status({ teamId: input.teamId, deploymentId: record.id });
  }

  /** Resolves once the order placed by `createDeployment` matched or failed. */
  async settled(ref: DeploymentRef): Promise<void> {
    this.owned(ref);
    await this.ordering.get(ref.deploymentId);
  }

  private owned(ref: DeploymentRef): SpheronDeploymentRecord {
    const record = this.records.get(ref.deploymentId);
    if (!record || record.teamId !== ref.teamId) throw new MarketplaceError("NOT_FOUND", "No such deployment in this team.");
    return record;
  }

  async status(ref: DeploymentRef): Promise<DeploymentStatus> {
    const record = this.owned(ref);
    const base = {
      id: record.id,
      teamId: record.teamId,
      name: record.name,
      manifestHash: record.manifestHash,
      maxPriceWeiPerSecond: BigInt(record.maxPriceWeiPerSecond),
      durationSeconds: record.durationSeconds,
      createdAt: record.createdAt,
      endsAt: null,
      order: null,
    };
    if (!record.leaseId) return { ...base, status: record.state === "failed" ? "failed" : record.state === "closed" ? "closed" : "ordering", message: record.message, lease: null, node: null };
    const lease = await this.chain(() => this.sdk.leases.getLeaseDetails(record.leaseId as string));
    const closed = record.state === "closed" || lease.state === "terminated";
    const services = closed ? [] : await this.services(record);
    const ready = services.length > 0 && services.every((s) => s.state === "ready");
    const provider = lease.providerAddress ?? "";
    return {
      ...base,
      status: closed ? "closed" : ready ? "ready" : "leased",
      message: closed ? (record.message ?? "The lease ended.") : null,
      endsAt: lease.endTime ? lease.endTime * 1000 : null,
      lease: {
        id: record.leaseId,
        deploymentId: record.id,
        orderId: record.leaseId,
        nodeId: provider,
        priceWeiPerSecond: BigInt(lease.acceptedPrice ?? 0),
        gpuModel: null,
        gpuCount: 0,
        state: closed ? "closed" : "active",
        createdAt: (lease.startTime ?? 0) * 1000,
        services,
        metrics: null,
        closedAt: closed ? (lease.endTime ?? 0) * 1000 : null,
        closeReason: closed ? "tenant-closed" : null,
      },
      node: { id: provider, kind: "provider", name: `Spheron provider ${provider.slice(0, 10)}`, region: "spheron", tier: "secured1" },
    };
  }

  /** The provider's lease status, read through the provider proxy; unreadable means starting. */
  private async services(record: SpheronDeploymentRecord): Promise<LeaseServiceStatus[]> {
    const manifest = JSON.parse(record.manifest) as { services: { name: string; serves: unknown }[] };
    let leaseStatus: LeaseStatus | null = null;
    let why: string | null = null;
    try {
      leaseStatus = (await this.sdk.deployment.getDeployment(record.leaseId as string, this.options.providerProxyUrl)) as LeaseStatus;
    } catch (error) {
      why = `the provider's lease status could not be read: ${describe(error)}`;
    }
    return manifest.services.map((s) => {
      const svc = leaseStatus?.services?.[s.name];
      const port = leaseStatus?.forwarded_ports?.[s.name]?.[0];
      const ready = svc !== undefined && (svc.ready_replicas ?? 0) >= Math.max(1, svc.total ?? 1);
      const host = port?.host ?? svc?.uris?.[0];
      const uri = ready && s.serves && host ? `http://${host}${port?.externalPort ? `:${port.externalPort}` : ""}/v1` : null;
      return { name: s.name, state: ready ? "ready" : "starting", uri, message: why };
    });
  }

  async *events(ref: DeploymentRef, options: { after?: number; signal?: AbortSignal } = {}): AsyncIterable<LeaseEvent> {
    yield* polledEvents(ref.deploymentId, () => this.status(ref), { ...options, pollMs: this.pollMs });
  }

  async logs(ref: DeploymentRef, options: { limit?: number } = {}): Promise<LogLine[]> {
    const record = this.owned(ref);
    if (!record.leaseId) return [];
    const tail = Math.min(Math.max(options.limit ?? 500, 1), 5000);
    const raw = await this.chain(() => this.sdk.deployment.getDeploymentLogs(record.leaseId as string, this.options.providerProxyUrl, { tail }));
    const lines = Array.isArray(raw) ? raw.map(String) : String(raw ?? "").split("\n");
    return lines.filter(Boolean).slice(-tail).map((line) => ({ at: 0, leaseId: record.leaseId as string, line }));
  }

  async endpoint(ref: DeploymentRef, options: { model?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ServingEndpoint> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const status = await this.status(ref);
      if (status.status === "failed" || status.status === "closed") throw new MarketplaceError("UNAVAILABLE", status.message ?? `The deployment is ${status.status}.`);
      const manifest = JSON.parse(this.owned(ref).manifest) as { services: { name: string; serves: { servedName: string } | null }[] };
      for (const s of status.lease?.services ?? []) {
        const served = manifest.services.find((m) => m.name === s.name)?.serves;
        if (s.state !== "ready" || !s.uri || !served || (options.model !== undefined && served.servedName !== options.model)) continue;
        return { baseUrl: s.uri, apiKey: "", model: served.servedName, leaseId: status.lease?.id ?? "", nodeId: status.lease?.nodeId ?? "" };
      }
      if (Date.now() >= deadline || options.signal?.aborted) throw new MarketplaceError("TIMEOUT", "The endpoint is not serving yet (ordering or starting on Spheron); try again shortly.");
      await pause(Math.min(this.pollMs, Math.max(0, deadline - Date.now())), options.signal);
    }
  }

  /** A Spheron lease is the provider's to keep running; nothing is re-ordered from here. */
  async reportUnreachable(ref: DeploymentRef): Promise<{ reordered: boolean }> {
    this.owned(ref);
    return { reordered: false };
  }

  async sleep(ref: DeploymentRef): Promise<DeploymentStatus> {
    this.owned(ref);
    throw new MarketplaceError("CONFLICT", "A Spheron lease cannot sleep: stop it, and deploy again when it is needed.");
  }

  async wake(ref: DeploymentRef): Promise<DeploymentStatus> {
    return this.status(ref);
  }

  /** `ComputeLease.closeLease` on chain (settles and unlocks the rest of the escrow). Idempotent. */
  async close(ref: DeploymentRef): Promise<DeploymentStatus> {
    const record = this.owned(ref);
    if (record.state !== "closed") {
      if (record.leaseId) await this.chain(() => this.sdk.deployment.closeDeployment(record.leaseId as string));
      this.records.update(record.id, { state: "closed", message: "Stopped." });
    }
    return this.status(ref);
  }

  private async chain<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new MarketplaceError("UNAVAILABLE", `Spheron could not be reached or refused: ${describe(error)}`);
    }
  }
}

/** The SDK throws Errors, strings and `{error, msg}` objects alike. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 300);
  if (typeof error === "string") return error.slice(0, 300);
  const msg = (error as { msg?: unknown; message?: unknown } | null)?.msg ?? (error as { message?: unknown } | null)?.message;
  return typeof msg === "string" ? msg.slice(0, 300) : JSON.stringify(error)?.slice(0, 300) ?? "unknown error";
}
