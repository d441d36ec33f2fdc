import type { DeploymentManifest, LeaseServiceStatus, NodeCapabilities, NodeInventory, NodeKind, NodeTier, OrderRequirements } from "../marketplace";
import type { Heartbeat, WorkLease, WorkOrder, WorkSnapshot } from "../protocol";
import { decideBid, manifestHash, type BidderState, type PriceTable } from "../rules";
import { MatchmakerClient, MatchmakerError } from "./client";
import { startLeaseServer, type Backend, type LeaseServer } from "./lease-server";

/**
 * A provider or fizz node (spec §1): joins the matchmaker, heartbeats, decides whether to bid
 * on each open order (reserving the GPUs first, so two orders never both get one), bids,
 * accepts a won lease's manifest only if its hash matches, runs the lease's services and
 * watches their health. Its view of the world is the matchmaker's work snapshot, so after a
 * restart (its own or the matchmaker's) it reconciles instead of double-bidding or forgetting.
 */
export type NodeAgentOptions = {
  join: string;
  token?: string;
  /** A saved identity (from a state file): rejoin as the same node. */
  identity?: { nodeId: string; secret: string };
  onIdentity?: (identity: { nodeId: string; secret: string }) => void;
  kind: NodeKind;
  name: string;
  region: string;
  tier: NodeTier;
  inventory: NodeInventory;
  prices: PriceTable;
  backend: Backend & { kind: "dev-model" | "upstream" };
  listenHost?: string;
  advertiseHost?: string;
  /** Where this node's earnings are paid (checksummed); absent: the host derives one from the node id. */
  payoutAddress?: string;
  /** Unreserve a bid the matchmaker has not decided after this long (spec §1.5). */
  bidTimeoutMs?: number;
  healthIntervalMs?: number;
  /** Consecutive failed health checks before a service is reported failed (and re-ordered). */
  healthRetries?: number;
  log?: (line: string) => void;
};

type Reservation = { gpuModel: string | null; gpuCount: number; cpu: number; memoryGi: number; storageGi: number; at: number };
type RunningLease = { lease: WorkLease; reservation: Reservation; services: LeaseServiceStatus[]; server: LeaseServer | null; failures: number; reported: string };

export class NodeAgent {
  private readonly client: MatchmakerClient;
  private readonly capabilities: NodeCapabilities;
  private nodeId = "";
  private reservations = new Map<string, Reservation>();
  private leases = new Map<string, RunningLease>();
  private stopped = false;
  private readonly abort = new AbortController();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private healthTimer: NodeJS.Timeout | null = null;
  private heartbeatIntervalMs = 1000;
  private pollLoop: Promise<void> | null = null;
  private sending: Promise<void> = Promise.resolve();
  private readonly log: (line: string) => void;

  constructor(private readonly options: NodeAgentOptions) {
    this.client = new MatchmakerClient(options.join);
    const p = options.prices;
    this.capabilities = {
      modelServing: { backend: options.backend.kind, label: options.backend.label },
      containers: false,
      prices: { cpuCore: `${p.cpuCore}`, memoryGi: `${p.memoryGi}`, storageGi: `${p.storageGi}`, gpu: Object.fromEntries([...p.gpu].map(([m, w]) => [m, `${w}`])) },
    };
    this.log = options.log ?? ((line) => console.log(line));
  }

  get id(): string {
    return this.nodeId;
  }

  async start(): Promise<void> {
    await this.joinWithRetries();
    this.heartbeatTimer = setInterval(() => void this.beat(), this.heartbeatIntervalMs);
    const every = this.options.healthIntervalMs ?? 2000;
    this.healthTimer = setInterval(() => void this.checkHealth(), every);
    this.pollLoop = this.poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.healthTimer) clearInterval(this.healthTimer);
    await this.pollLoop?.catch(() => undefined);
    await Promise.all([...this.leases.values()].map((l) => l.server?.close()));
  }

  /**
   * The first join retries while the matchmaker cannot be reached or answers 5xx/429 (a host
   * still starting, or too busy to answer in time); a refusal (401 forged token, 400) ends it.
   */
  private async joinWithRetries(attempts = 8): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.joinMatchmaker();
      } catch (error) {
        const passing = !(error instanceof MatchmakerError) || error.status >= 500 || error.status === 429;
        if (!passing || attempt >= attempts || this.stopped) throw error;
        const waitMs = Math.min(250 * 2 ** (attempt - 1), 5000);
        this.log(`could not join yet (${error instanceof Error ? error.message : String(error)}); trying again in ${waitMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  private async joinMatchmaker(): Promise<void> {
    const o = this.options;
    const attributes = { kind: o.kind, name: o.name, region: o.region, tier: o.tier, inventory: o.inventory, capabilities: this.capabilities };
    const identity = this.nodeId ? undefined : o.identity;
    const joined = await this.client.join({
      ...attributes,
      token: o.token,
      ...(identity ? { nodeId: identity.nodeId, secret: identity.secret } : {}),
      ...(o.payoutAddress ? { payoutAddress: o.payoutAddress } : {}),
    });
    this.nodeId = joined.nodeId;
    this.heartbeatIntervalMs = joined.heartbeatIntervalMs;
    this.client.setCredentials(joined.nodeId, joined.secret);
    o.onIdentity?.({ nodeId: joined.nodeId, secret: joined.secret });
    this.log(`node ${o.name} joined as ${joined.nodeId} (${o.kind}, ${o.region}, ${o.tier}); serving models from ${o.backend.label}`);
    this.log(o.payoutAddress ? `earnings are paid to ${o.payoutAddress}` : "earnings are paid to an address the host derives from the node id (set --payout-address to use your own)");
  }

  // ---------------------------------------------------------------- the work loop

  private async poll(): Promise<void> {
    let version: number | undefined;
    while (!this.stopped) {
      try {
        const snapshot = await this.client.work(version, this.abort.signal);
        version = snapshot.version;
        await this.reconcile(snapshot);
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof MatchmakerError && error.status === 401) await this.joinMatchmaker().catch(() => undefined);
        // The matchmaker may be restarting: try again shortly.
        version = undefined;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** One snapshot, handled in order: leases first (they free or hold resources), then orders. */
  private async reconcile(snapshot: WorkSnapshot): Promise<void> {
    const live = new Set(snapshot.leases.map((l) => l.leaseId));
    for (const [id, running] of this.leases) {
      if (live.has(id)) continue;
      this.leases.delete(id);
      await running.server?.close();
      this.log(`lease ${id} closed; its resources are free again`);
    }
    for (const lease of snapshot.leases) if (!this.leases.has(lease.leaseId)) await this.takeLease(lease);

    const open = new Set(snapshot.orders.map((o) => o.orderId));
    const leasedOrders = new Set(snapshot.leases.map((l) => l.orderId));
    const bidTimeout = this.options.bidTimeoutMs ?? 5 * 60_000;
    for (const [orderId, r] of this.reservations) {
      // Lost, closed or timed out: unreserve (spec §1.5).
      if (!open.has(orderId) || leasedOrders.has(orderId) || Date.now() - r.at > bidTimeout) this.reservations.delete(orderId);
    }
    for (const order of snapshot.orders) {
      if (!order.answered && !this.reservations.has(order.orderId)) await this.considerOrder(order);
    }
  }

  private bidderState(): BidderState {
    const inv = this.options.inventory;
    const held = [...this.reservations.values(), ...[...this.leases.values()].map((l) => l.reservation)];
    const freeGpus = new Map<string, number>();
    for (const g of inv.gpus) freeGpus.set(g.model, (freeGpus.get(g.model) ?? 0) + g.count);
    for (const h of held) if (h.gpuModel) freeGpus.set(h.gpuModel, (freeGpus.get(h.gpuModel) ?? 0) - h.gpuCount);
    const sum = (f: (r: Reservation) => number) => held.reduce((n, r) => n + f(r), 0);
    return {
      kind: this.options.kind,
      region: this.options.region,
      tier: this.options.tier,
      capabilities: this.capabilities,
      freeGpus,
      freeCpu: inv.cpu - sum((r) => r.cpu),
      freeMemoryGi: inv.memoryGi - sum((r) => r.memoryGi),
      freeStorageGi: inv.storageGi - sum((r) => r.storageGi),
    };
  }

  private async considerOrder(order: WorkOrder): Promise<void> {
    const req = order.requirements as OrderRequirements;
    const decision = decideBid(this.bidderState(), req, BigInt(order.maxPriceWeiPerSecond), this.options.prices);
    try {
      if (!decision.bid) {
        await this.client.answer(order.orderId, { decline: decision.reason });
        return;
      }
      // Reserve before bidding: the next order sees these GPUs as taken (spec §1.3).
      this.reservations.set(order.orderId, reservationFor(req, decision.gpuModel));
      await this.client.answer(order.orderId, { bid: { priceWeiPerSecond: decision.priceWeiPerSecond.toString(), gpuModel: decision.gpuModel } });
      this.log(`bid ${decision.priceWeiPerSecond} wei/s on ${order.orderId}${decision.gpuModel ? ` with ${req.gpu?.count} × ${decision.gpuModel}` : ""}`);
    } catch (error) {
      // The order closed meanwhile, or the bid was refused: hold nothing for it.
      if (!(error instanceof MatchmakerError && error.status === 409 && decision.bid)) this.reservations.delete(order.orderId);
      if (!(error instanceof MatchmakerError)) throw error;
    }
  }

  // ---------------------------------------------------------------- leases

  private async takeLease(lease: WorkLease): Promise<void> {
    const reservation = this.reservations.get(lease.orderId) ?? reservationFor(lease.requirements as OrderRequirements, lease.gpuModel);
    this.reservations.delete(lease.orderId);
    const running: RunningLease = { lease, reservation, services: [], server: null, failures: 0, reported: "" };
    this.leases.set(lease.leaseId, running);
    // The manifest is run only if it is the one the order promised (spec §1.7).
    const hash = manifestHash(lease.manifest);
    if (hash !== lease.manifestHash) {
      this.log(`lease ${lease.leaseId}: manifest hash ${hash} does not match the order's ${lease.manifestHash}; refused`);
      await this.client.manifest(lease.leaseId, { accepted: false, reason: "The manifest's sha256 does not match the order's hash." }).catch(() => undefined);
      return;
    }
    if (lease.state === "awaiting-manifest") await this.client.manifest(lease.leaseId, { accepted: true, hash }).catch(() => undefined);
    const manifest = JSON.parse(lease.manifest) as DeploymentManifest;
    const models = manifest.services.flatMap((s) => (s.serves ? [s.serves.servedName] : []));
    running.services = manifest.services.map((s) =>
      s.serves
        ? { name: s.name, state: "starting", uri: null, message: `Serving ${s.serves.servedName} from ${this.options.backend.label}.` }
        : {
            name: s.name,
            state: "not-run",
            uri: null,
            message: `Node ${this.options.name} has no container engine, so it does not run the image ${s.image}.`,
            notRun: { reason: "no-container-engine", image: s.image },
          },
    );
    if (models.length > 0) {
      running.server = await startLeaseServer({ leaseId: lease.leaseId, accessToken: lease.accessToken, models, backend: this.options.backend, host: this.options.listenHost, advertiseHost: this.options.advertiseHost });
      await this.checkLease(running);
    }
    await this.sendReport(running);
  }

  /** Health check: the backend answers its model list. Ready, unhealthy, then failed after retries. */
  private async checkLease(running: RunningLease): Promise<void> {
    let healthy = false;
    try {
      const res = await fetch(`${this.options.backend.baseUrl.replace(/\/+$/, "")}/models`, {
        headers: this.options.backend.apiKey ? { authorization: `Bearer ${this.options.backend.apiKey}` } : {},
        signal: AbortSignal.timeout(5000),
      });
      healthy = res.ok;
    } catch {
      healthy = false;
    }
    running.failures = healthy ? 0 : running.failures + 1;
    const retries = this.options.healthRetries ?? 3;
    for (const s of running.services) {
      if (s.state === "not-run") continue;
      s.state = healthy ? "ready" : running.failures >= retries ? "failed" : "unhealthy";
      s.uri = healthy ? (running.server?.uri ?? null) : null;
      s.message = healthy ? `Serving from ${this.options.backend.label}.` : `The model backend (${this.options.backend.label}) does not answer.`;
    }
  }

  private async checkHealth(): Promise<void> {
    for (const running of this.leases.values()) {
      if (!running.server) continue;
      await this.checkLease(running);
      await this.sendReport(running);
    }
  }

  /** Sends service states at once when they changed (heartbeats carry metrics and logs). */
  private async sendReport(running: RunningLease): Promise<void> {
    const key = JSON.stringify(running.services);
    if (key === running.reported) return;
    await this.inOrder(async () => {
      const report = { services: running.services, metrics: running.server?.metrics() ?? null, logs: running.server?.drainLogs() ?? [] };
      await this.client.report(running.lease.leaseId, report).then(
        () => (running.reported = key),
        () => undefined,
      );
    });
  }

  /**
   * Reports and heartbeats go one at a time: two in flight could arrive in the other order,
   * and an older "starting" would overwrite a newer "ready" at the matchmaker.
   */
  private inOrder(send: () => Promise<void>): Promise<void> {
    const next = this.sending.then(send, send);
    this.sending = next.catch(() => undefined);
    return next;
  }

  private async beat(): Promise<void> {
    await this.inOrder(async () => {
      const beat: Heartbeat = { leases: {} };
      for (const [id, running] of this.leases) {
        // A lease still starting reports once it has its services (sendReport does).
        if (running.services.length === 0) continue;
        beat.leases[id] = { services: running.services, metrics: running.server?.metrics() ?? null, logs: running.server?.drainLogs() ?? [] };
      }
      await this.client.heartbeat(beat).catch(async (error: unknown) => {
        if (error instanceof MatchmakerError && error.status === 401) await this.joinMatchmaker().catch(() => undefined);
      });
    });
  }
}

function reservationFor(req: OrderRequirements, gpuModel: string | null): Reservation {
  return { gpuModel, gpuCount: req.gpu?.count ?? 0, cpu: req.cpu, memoryGi: req.memoryGi, storageGi: req.storageGi, at: Date.now() };
}
