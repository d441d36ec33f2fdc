import { and, eq } from "drizzle-orm";
import { marketDeployments } from "#db/schema/marketplace";
import {
  MarketplaceError,
  type CreateDeploymentInput,
  type DeploymentRef,
  type DeploymentStatus,
  type LeaseEvent,
  type LogLine,
  type Marketplace,
  type MarketNode,
  type Offer,
  type ServingEndpoint,
} from "../marketplace";
import { fizzLimitViolations, manifestHash, serializeManifest } from "../rules";
import { newId } from "./ids";
import type { Matchmaker } from "./matchmaker";
import * as store from "./store";

const MAX_MANIFEST_BYTES = 256 * 1024;
const MAX_DURATION_SECONDS = 365 * 24 * 3600;
/** Remembered serving answers beyond this many are dropped all at once. */
const MAX_CACHED_ENDPOINTS = 10_000;

/**
 * The tenant's side of the local marketplace: what routers, the gateway and the runtime call.
 * Every method takes the team with the id and treats another team's deployment as missing.
 */
export class LocalMarketplace implements Marketplace {
  constructor(
    private readonly matchmaker: Matchmaker,
    /** How long the host waits for a lease's server when a caller reports it unreachable. */
    private readonly probeTimeoutMs = 2000,
  ) {}

  private get db() {
    return this.matchmaker.db;
  }

  async listOffers(): Promise<Offer[]> {
    return store.upNodes(this.db).map((row) => {
      const node = store.toNode(row);
      const held = store.liveLeasesOfNode(this.db, node.id);
      const freeGpus = node.inventory.gpus.map((g) => ({
        model: g.model,
        count: g.count - held.filter((l) => l.gpuModel === g.model).reduce((n, l) => n + l.gpuCount, 0),
      }));
      const { cpu, memoryGi, storageGi } = node.inventory;
      return { nodeId: node.id, kind: node.kind, name: node.name, region: node.region, tier: node.tier, gpus: node.inventory.gpus, freeGpus, backend: node.capabilities.modelServing?.label ?? null, cpu, memoryGi, storageGi, capabilities: node.capabilities };
    });
  }

  async listNodes(): Promise<MarketNode[]> {
    this.matchmaker.heartbeats.flush(); // the list shows each node's last heartbeat
    return store.allNodes(this.db).map(store.toNode);
  }

  async createDeployment(input: CreateDeploymentInput): Promise<DeploymentStatus> {
    const { budget, requirements } = input;
    if (budget.maxPriceWeiPerSecond <= 0n) throw new MarketplaceError("BAD_REQUEST", "The maximum price must be above zero.");
    if (!Number.isInteger(budget.durationSeconds) || budget.durationSeconds < 60 || budget.durationSeconds > MAX_DURATION_SECONDS) {
      throw new MarketplaceError("BAD_REQUEST", "The duration is a whole number of seconds from one minute to one year.");
    }
    const needed = budget.maxPriceWeiPerSecond * BigInt(budget.durationSeconds);
    if (budget.escrowWei < needed) {
      throw new MarketplaceError("BAD_REQUEST", `InsufficientBalance: the escrow (${budget.escrowWei} wei) must cover the maximum price for the whole duration (${needed} wei).`);
    }
    if (input.manifest.services.length === 0) throw new MarketplaceError("BAD_REQUEST", "The manifest has no services.");
    if (requirements.mode === "fizz") {
      const violations = fizzLimitViolations(requirements);
      if (violations.length > 0) throw new MarketplaceError("BAD_REQUEST", `This deployment does not fit fizz mode: ${violations.join("; ")}. Use provider mode or lower it.`);
    }
    const manifest = serializeManifest(input.manifest);
    if (Buffer.byteLength(manifest) > MAX_MANIFEST_BYTES) throw new MarketplaceError("BAD_REQUEST", `The manifest is over ${MAX_MANIFEST_BYTES / 1024} KB.`);
    const id = newId("dep");
    this.matchmaker.transact((tx, emit) => {
      tx.insert(marketDeployments)
        .values({
          id,
          teamId: input.teamId,
          name: input.name.slice(0, 200),
          status: "ordering",
          manifest,
          manifestHash: manifestHash(manifest),
          requirements,
          maxPriceWeiPerSecond: budget.maxPriceWeiPerSecond.toString(),
          durationSeconds: budget.durationSeconds,
          escrowWei: budget.escrowWei.toString(),
          createdAt: new Date(this.matchmaker.now()),
        })
        .run();
      this.matchmaker.placeOrder(tx, emit, id, 1, []);
    });
    return this.status({ teamId: input.teamId, deploymentId: id });
  }

  private owned(ref: DeploymentRef): store.DeploymentRow {
    const row = this.db
      .select()
      .from(marketDeployments)
      .where(and(eq(marketDeployments.id, ref.deploymentId), eq(marketDeployments.teamId, ref.teamId)))
      .get();
    if (!row) throw new MarketplaceError("NOT_FOUND", "No such deployment in this team.");
    return row;
  }

  async status(ref: DeploymentRef): Promise<DeploymentStatus> {
    return this.statusOf(this.owned(ref));
  }

  private statusOf(d: store.DeploymentRow): DeploymentStatus {
    const order = store.currentOrder(this.db, d.id);
    const leaseRow = store.liveLease(this.db, d.id) ?? store.latestLease(this.db, d.id);
    const nodeRow = leaseRow ? store.getNode(this.db, leaseRow.nodeId) : undefined;
    return {
      id: d.id,
      teamId: d.teamId,
      name: d.name,
      status: d.status,
      message: d.statusMessage,
      manifestHash: d.manifestHash,
      maxPriceWeiPerSecond: BigInt(d.maxPriceWeiPerSecond),
      durationSeconds: d.durationSeconds,
      createdAt: d.createdAt.getTime(),
      endsAt: d.endsAt?.getTime() ?? null,
      order: order ? store.toOrder(order) : null,
      lease: leaseRow ? store.toLease(leaseRow) : null,
      node: nodeRow ? { id: nodeRow.id, kind: nodeRow.kind, name: nodeRow.name, region: nodeRow.region, tier: store.toNode(nodeRow).tier } : null,
    };
  }

  async *events(ref: DeploymentRef, options: { after?: number; signal?: AbortSignal } = {}): AsyncIterable<LeaseEvent> {
    this.owned(ref);
    // Listen before replaying, so nothing committed in between is missed.
    const queue: LeaseEvent[] = [];
    let wake: (() => void) | null = null;
    const onEvent = (e: LeaseEvent) => {
      if (e.deploymentId !== ref.deploymentId) return;
      queue.push(e);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.matchmaker.signals.on("event", onEvent);
    options.signal?.addEventListener("abort", onAbort);
    try {
      let last = options.after ?? 0;
      for (const e of store.eventsAfter(this.db, ref.deploymentId, last)) {
        yield e;
        last = e.seq;
      }
      while (!options.signal?.aborted) {
        const next = queue.shift();
        if (next) {
          if (next.seq > last) {
            last = next.seq;
            yield next;
          }
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      this.matchmaker.signals.off("event", onEvent);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  async logs(ref: DeploymentRef, options: { limit?: number } = {}): Promise<LogLine[]> {
    this.owned(ref);
    return store.logsOfDeployment(this.db, ref.deploymentId, Math.min(Math.max(options.limit ?? 500, 1), 5000));
  }

  /**
   * Where each deployment was serving, and at which matchmaker version: the gateway asks for
   * every request, and the answer can only change with a committed transition (failover,
   * sleep, close, a lease's services reported), each of which moves the version.
   */
  private readonly servingCache = new Map<string, { version: number; endpoint: ServingEndpoint }>();

  async endpoint(ref: DeploymentRef, options: { model?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ServingEndpoint> {
    const key = `${ref.teamId} ${ref.deploymentId} ${options.model ?? ""}`;
    const cached = this.servingCache.get(key);
    if (cached && cached.version === this.matchmaker.changeVersion) return cached.endpoint;
    const deadline = this.matchmaker.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const d = this.owned(ref);
      if (d.status === "sleeping") await this.wake(ref);
      if (d.status === "failed" || d.status === "closed") {
        throw new MarketplaceError("UNAVAILABLE", d.statusMessage ?? `The deployment is ${d.status}.`);
      }
      const version = this.matchmaker.changeVersion;
      const found = this.servingNow(d, options.model);
      if (found) {
        if (this.servingCache.size >= MAX_CACHED_ENDPOINTS) this.servingCache.clear();
        this.servingCache.set(key, { version, endpoint: found });
        return found;
      }
      // Containers alone are leased but not run here: waiting would never give an endpoint.
      if (!servesAModel(d.manifest)) throw new MarketplaceError("NOT_FOUND", "This deployment serves no model: its containers are leased but not run (the node has no container engine).");
      const left = deadline - this.matchmaker.now();
      if (left <= 0 || options.signal?.aborted) throw new MarketplaceError("TIMEOUT", "The endpoint is not serving yet (it is being ordered or started); try again shortly.");
      await this.nextChange(left, options.signal);
    }
  }

  private servingNow(d: store.DeploymentRow, model: string | undefined): ServingEndpoint | null {
    if (d.status !== "ready") return null;
    const lease = store.liveLease(this.db, d.id);
    if (!lease || lease.state !== "active") return null;
    const manifest = JSON.parse(d.manifest) as { services: { name: string; serves: { servedName: string } | null }[] };
    for (const s of store.toLease(lease).services) {
      const served = manifest.services.find((m) => m.name === s.name)?.serves;
      if (s.state !== "ready" || !s.uri || !served) continue;
      if (model !== undefined && served.servedName !== model) continue;
      return { baseUrl: s.uri, apiKey: lease.accessToken, model: served.servedName, leaseId: lease.id, nodeId: lease.nodeId };
    }
    return null;
  }

  private nextChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.matchmaker.signals.off("change", done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.matchmaker.signals.on("change", done);
      signal?.addEventListener("abort", done);
    });
  }

  async reportUnreachable(ref: DeploymentRef, report: { leaseId: string; error: string }): Promise<{ reordered: boolean }> {
    const d = this.owned(ref);
    const lease = store.getLease(this.db, report.leaseId);
    if (!lease || lease.deploymentId !== d.id) throw new MarketplaceError("NOT_FOUND", "No such lease in this deployment.");
    if (lease.state === "closed") return { reordered: true }; // already failed over
    // Concurrent callers hitting the same dead lease share one probe.
    let probe = this.probes.get(lease.id);
    if (!probe) {
      probe = this.probeAndReorder(lease, report.error).finally(() => this.probes.delete(lease.id));
      this.probes.set(lease.id, probe);
    }
    return { reordered: await probe };
  }

  private readonly probes = new Map<string, Promise<boolean>>();

  /** The host's own check of a lease's services; a caller's word alone closes nothing. */
  private async probeAndReorder(lease: store.LeaseRow, reported: string): Promise<boolean> {
    const uris = store.toLease(lease).services.flatMap((s) => (s.uri ? [s.uri] : []));
    const failures: string[] = [];
    for (const uri of uris) {
      const failure = await unreachable(`${uri.replace(/\/$/, "")}/models`, lease.accessToken, this.probeTimeoutMs);
      if (failure) failures.push(`${uri}: ${failure}`);
    }
    if (failures.length === 0) return false;
    return this.matchmaker.transact((tx, emit) => {
      const now = store.getLease(tx, lease.id);
      if (!now || now.state === "closed") return true;
      emit(lease.deploymentId, "ServiceFailed", { leaseId: lease.id, nodeId: lease.nodeId, state: "failed", message: `unreachable from the host (${failures.join("; ")}); a client reported: ${reported.slice(0, 200)}` });
      this.matchmaker.closeLeaseAndReorder(tx, emit, now, "workload-failed");
      return true;
    });
  }

  async sleep(ref: DeploymentRef): Promise<DeploymentStatus> {
    const d = this.owned(ref);
    if (d.status === "failed" || d.status === "closed") throw new MarketplaceError("CONFLICT", `The deployment is ${d.status}; it cannot sleep.`);
    if (d.status !== "sleeping") {
      this.matchmaker.transact((tx, emit) => {
        const lease = store.liveLease(tx, d.id);
        if (lease) this.matchmaker.closeLease(tx, emit, lease, "idle");
        const order = store.currentOrder(tx, d.id);
        if (order?.state === "open") this.matchmaker.closeOrder(tx, emit, order.id, d.id, "idle");
        tx.update(marketDeployments).set({ status: "sleeping", statusMessage: "Asleep: the next request wakes it." }).where(eq(marketDeployments.id, d.id)).run();
        emit(d.id, "DeploymentSleeping", {});
      });
    }
    return this.status(ref);
  }

  async wake(ref: DeploymentRef): Promise<DeploymentStatus> {
    const d = this.owned(ref);
    if (d.status === "sleeping") {
      this.matchmaker.transact((tx, emit) => {
        // Re-read inside the transaction: two requests waking it at once place one order.
        if (store.getDeployment(tx, d.id)?.status !== "sleeping") return;
        emit(d.id, "DeploymentWaking", {});
        this.matchmaker.placeOrder(tx, emit, d.id, (store.currentOrder(tx, d.id)?.attempt ?? 0) + 1, []);
      });
    }
    return this.status(ref);
  }

  async close(ref: DeploymentRef, options: { message?: string } = {}): Promise<DeploymentStatus> {
    const d = this.owned(ref);
    const message = options.message?.slice(0, 500);
    if (d.status !== "closed") {
      this.matchmaker.transact((tx, emit) => {
        const lease = store.liveLease(tx, d.id);
        if (lease) this.matchmaker.closeLease(tx, emit, lease, "tenant-closed");
        const order = store.currentOrder(tx, d.id);
        if (order?.state === "open") this.matchmaker.closeOrder(tx, emit, order.id, d.id, "tenant-closed");
        tx.update(marketDeployments).set({ status: "closed", statusMessage: message ?? "Stopped.", closedAt: new Date(this.matchmaker.now()) }).where(eq(marketDeployments.id, d.id)).run();
        emit(d.id, "DeploymentClosed", message ? { reason: "tenant-closed", message } : { reason: "tenant-closed" });
      });
    }
    return this.status(ref);
  }
}

/** Null when the URL answers HTTP at all (any status); else why it could not be reached. */
async function unreachable(url: string, apiKey: string, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return null;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return cause ?? (error instanceof Error ? error.message : String(error));
  }
}

function servesAModel(manifestText: string): boolean {
  const manifest = JSON.parse(manifestText) as { services: { serves: unknown }[] };
  return manifest.services.some((s) => s.serves);
}
