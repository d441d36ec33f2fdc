import { EventEmitter } from "node:events";
import { eq, sql } from "drizzle-orm";
import type { Db, DbTx } from "#db/client";
import { marketBids, marketDeployments, marketLeases, marketNodes, marketOrders } from "#db/schema/marketplace";
import { MarketplaceError, type LeaseCloseReason, type LeaseEvent, type LeaseEventType, type LeaseServiceStatus, type ManifestService } from "../marketplace";
import type { JoinRequest, JoinResponse, ManifestReport, OrderAnswer, WorkSnapshot } from "../protocol";
import { checksummedPayoutAddress } from "../payout-address";
import { explainNoBids, gpusFree, pickWinner } from "../rules";
import { closeWithoutBids, retryAwaitingDeployments, sweep } from "./failover";
import { HeartbeatBook } from "./heartbeat-book";
import type { MatchmakerOptions } from "./matchmaker-options";
import { newId, newSecret, sameSecret, sha256Hex } from "./ids";
import { NodeAuth } from "./node-auth";
import * as store from "./store";
import { PreparedReads } from "./store-prepared";
import { WorkSnapshots } from "./work-snapshots";
import { nodeServiceUriProblem } from "./node-uri";

/**
 * The embedded matchmaker: the marketplace's state machine over SQLite (ADR 024).
 *
 * order open ──(every live node answered, or the bid window ends)──▶ matched + lease
 *   (awaiting-manifest) ──node accepts the manifest (hash equal)──▶ active ──▶ closed
 * A node that stops heartbeating is marked down; its leases close ("node-down") and each
 * deployment gets a new order (attempt + 1) excluding it: the failover keeps the deployment id.
 * Every transition is one SQLite transaction; events are emitted after it commits.
 */
export type { MatchmakerOptions } from "./matchmaker-options";

type Pending = LeaseEvent[];

export class Matchmaker {
  readonly db: Db;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly bidWindowMs: number;
  readonly manifestTimeoutMs: number;
  readonly pollTimeoutMs: number;
  readonly maxAttempts: number;
  readonly failoverRetryMs: number;
  readonly failoverRetries: number;
  readonly now: () => number;
  /** "event" (LeaseEvent) after each commit; "change" whenever a node's work may differ. */
  readonly signals = new EventEmitter();
  private readonly joinTokenHashes: string[];
  private readonly acceptJoinToken: (token: string) => string | null;
  private readonly logLinesPerLease: number;
  private version: number;
  private orderTimers = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | null = null;
  /** Last heartbeats, written once a second; the sweeper's watchdog reads them here. */
  readonly heartbeats: HeartbeatBook;
  /** The long polls' and the sweeper's reads, prepared once. */
  readonly reads: PreparedReads;
  private readonly workSnapshots: WorkSnapshots;
  private readonly nodeAuth: NodeAuth;
  // Prepared once: the heartbeat runs for every node every second (bench/matchmaker-load).
  private readonly nodeStatus;
  private readonly restartGraceMs: number;
  /** Nodes up before a restart and not heard from since, and until when they may be silent. */
  private returning = new Set<string>();
  private graceUntil = 0;

  constructor(options: MatchmakerOptions) {
    this.db = options.db;
    this.joinTokenHashes = options.joinTokens.map(sha256Hex);
    this.acceptJoinToken = options.acceptJoinToken ?? (() => null);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1000;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 5000;
    this.bidWindowMs = options.bidWindowMs ?? 1000;
    this.manifestTimeoutMs = options.manifestTimeoutMs ?? 60_000;
    this.pollTimeoutMs = options.pollTimeoutMs ?? 25_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.failoverRetryMs = options.failoverRetryMs ?? 2000;
    this.failoverRetries = options.failoverRetries ?? 30;
    this.logLinesPerLease = options.logLinesPerLease ?? 2000;
    this.restartGraceMs = options.restartGraceMs ?? 20_000;
    this.now = options.now ?? Date.now;
    this.version = this.now();
    this.signals.setMaxListeners(0);
    this.heartbeats = new HeartbeatBook(this.db);
    this.reads = new PreparedReads(this.db);
    this.workSnapshots = new WorkSnapshots(this.reads);
    this.nodeAuth = new NodeAuth(this.db);
    this.nodeStatus = this.db.select({ status: marketNodes.status }).from(marketNodes).where(eq(marketNodes.id, sql.placeholder("id"))).prepare();
  }

  /**
   * Restart recovery (spec §1.10): nodes get a full heartbeat timeout to come back, open
   * orders get their bid timers again, and the sweeper resumes watchdogs and expiry.
   */
  start(): void {
    const now = new Date(this.now());
    this.db.update(marketNodes).set({ lastHeartbeatAt: now }).where(eq(marketNodes.status, "up")).run();
    this.returning = new Set(store.upNodes(this.db).map((n) => n.id));
    this.graceUntil = now.getTime() + this.restartGraceMs;
    for (const order of store.openOrders(this.db)) this.armOrderTimer(order.id, order.bidDeadline.getTime());
    const every = Math.max(10, Math.min(500, Math.floor(this.heartbeatTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
    this.heartbeats.start();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const t of this.orderTimers.values()) clearTimeout(t);
    this.orderTimers.clear();
    this.heartbeats.stop();
    this.signals.emit("stop");
  }

  // ---------------------------------------------------------------- transactions and signals

  /** Changes with every committed transition: what was read at one version holds until it moves. */
  get changeVersion(): number {
    return this.version;
  }

  /** Runs a transition; its events are published only once it committed. */
  transact<T>(fn: (tx: DbTx, emit: (deploymentId: string, type: LeaseEventType, data?: Record<string, unknown>) => void) => T): T {
    const pending: Pending = [];
    const result = this.db.transaction((tx) =>
      fn(tx, (deploymentId, type, data = {}) => {
        pending.push(store.appendEvent(tx, deploymentId, type, data, this.now()));
      }),
    );
    this.version += 1;
    for (const e of pending) this.signals.emit("event", e);
    this.signals.emit("change", this.version);
    return result;
  }

  // ---------------------------------------------------------------- node protocol

  join(req: JoinRequest): JoinResponse {
    const now = new Date(this.now());
    // A rejoin without --payout-address goes back to the derived address: the node says where it is paid each time.
    const payoutAddress = req.payoutAddress ? checksummedPayoutAddress(req.payoutAddress) : null;
    const attributes = { kind: req.kind, name: req.name, region: req.region, tier: req.tier, inventory: req.inventory, capabilities: req.capabilities, payoutAddress };
    const claimed = req.nodeId ? store.getNode(this.db, req.nodeId) : undefined;
    const existing = claimed && req.secret && sameSecret(req.secret, claimed.secretHash) ? claimed : undefined;
    const hostToken = Boolean(req.token && this.joinTokenHashes.some((h) => sameSecret(req.token as string, h)));
    // A team's token (checked only when it is not the host's): the node is that team's.
    const teamId = !existing && !hostToken && req.token ? this.acceptJoinToken(req.token) : null;
    const tokenOk = hostToken || teamId !== null;
    // A node whose saved identity this marketplace does not know (a new database) joins anew with its token.
    if (req.nodeId && !existing && !tokenOk) throw new MarketplaceError("UNAUTHORIZED", "Unknown node or wrong node secret; join again with a join token.");
    if (!existing && !tokenOk) throw new MarketplaceError("UNAUTHORIZED", "The join token is not valid for this marketplace; make one in Settings → Nodes.");
    const nodeId = existing?.id ?? newId("node");
    this.returning.delete(nodeId);
    const secret = existing ? (req.secret as string) : newSecret();
    this.transact((tx) => {
      if (existing) tx.update(marketNodes).set({ ...attributes, status: "up", lastHeartbeatAt: now }).where(eq(marketNodes.id, nodeId)).run();
      else tx.insert(marketNodes).values({ id: nodeId, ...attributes, teamId, secretHash: sha256Hex(secret), status: "up", joinedAt: now, lastHeartbeatAt: now }).run();
    });
    // A node that joins may be what a failover is waiting for: order again now.
    retryAwaitingDeployments(this, { dueOnly: false });
    return { nodeId, secret, heartbeatIntervalMs: this.heartbeatIntervalMs, pollTimeoutMs: this.pollTimeoutMs };
  }

  /** The node id for an `Authorization: Bearer <nodeId>.<secret>` header. */
  authenticate(authorization: string | undefined): string {
    return this.nodeAuth.authenticate(authorization);
  }

  heartbeat(nodeId: string): void {
    this.returning.delete(nodeId);
    const node = this.nodeStatus.get({ id: nodeId });
    if (!node) throw new MarketplaceError("UNAUTHORIZED", "Unknown node.");
    if (node.status === "down") {
      // Back after being declared down: its old leases were re-ordered; it starts afresh.
      this.transact((tx) => tx.update(marketNodes).set({ status: "up", lastHeartbeatAt: new Date(this.now()) }).where(eq(marketNodes.id, nodeId)).run());
      retryAwaitingDeployments(this, { dueOnly: false });
      return;
    }
    this.heartbeats.beat(nodeId, this.now());
  }

  /** What this node should know now: open orders it may bid on and its live leases. */
  snapshot(nodeId: string): WorkSnapshot {
    return this.workSnapshots.snapshot(nodeId, this.version);
  }

  /** Long poll: answers at once when the node's view is stale, else on the next change. */
  async work(nodeId: string, after: number | undefined, signal?: AbortSignal): Promise<WorkSnapshot> {
    if (after !== this.version) return this.snapshot(nodeId);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signals.off("change", done);
        this.signals.off("stop", done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, this.pollTimeoutMs);
      this.signals.on("change", done);
      this.signals.on("stop", done);
      signal?.addEventListener("abort", done);
    });
    return this.snapshot(nodeId);
  }

  answer(nodeId: string, orderId: string, answer: OrderAnswer): void {
    const order = store.getOrder(this.db, orderId);
    if (!order || order.excludedNodes.includes(nodeId)) throw new MarketplaceError("NOT_FOUND", "No such order.");
    if (order.state !== "open") throw new MarketplaceError("CONFLICT", "The order is no longer taking bids.");
    const d = store.getDeployment(this.db, order.deploymentId);
    if (!d) throw new MarketplaceError("NOT_FOUND", "No such order.");
    if ("bid" in answer && BigInt(answer.bid.priceWeiPerSecond) > BigInt(d.maxPriceWeiPerSecond)) {
      throw new MarketplaceError("BAD_REQUEST", "BidPriceExceedsMaxPrice: the bid is over the order's maximum price.");
    }
    if ("bid" in answer && BigInt(answer.bid.priceWeiPerSecond) === 0n) throw new MarketplaceError("BAD_REQUEST", "A zero price is not a bid.");
    const node = store.getNode(this.db, nodeId);
    this.transact((tx, emit) => {
      const inserted = tx
        .insert(marketBids)
        .values({
          id: newId("bid"),
          orderId,
          nodeId,
          priceWeiPerSecond: "bid" in answer ? answer.bid.priceWeiPerSecond : null,
          gpuModel: "bid" in answer ? answer.bid.gpuModel : null,
          declineReason: "decline" in answer ? answer.decline : null,
          createdAt: new Date(this.now()),
        })
        .onConflictDoNothing()
        .run();
      if (inserted.changes === 0) throw new MarketplaceError("CONFLICT", "This node already answered the order.");
      const who = { orderId, nodeId, nodeName: node?.name, region: node?.region, tier: node?.tier, kind: node?.kind };
      if ("bid" in answer) emit(order.deploymentId, "BidPlaced", { ...who, priceWeiPerSecond: answer.bid.priceWeiPerSecond, gpuModel: answer.bid.gpuModel });
      else emit(order.deploymentId, "BidDeclined", { ...who, reason: answer.decline });
    });
    if (this.everyLiveNodeAnswered(orderId)) this.decide(orderId);
  }

  private everyLiveNodeAnswered(orderId: string): boolean {
    const order = store.getOrder(this.db, orderId);
    if (!order) return false;
    const answered = new Set(store.answersFor(this.db, orderId).map((a) => a.nodeId));
    return store.upNodes(this.db).every((n) => answered.has(n.id) || order.excludedNodes.includes(n.id));
  }

  manifestReport(nodeId: string, leaseId: string, report: ManifestReport): void {
    const lease = store.getLease(this.db, leaseId);
    if (!lease || lease.nodeId !== nodeId) throw new MarketplaceError("NOT_FOUND", "No such lease.");
    if (lease.state !== "awaiting-manifest") return; // a repeat after a restart: already settled
    const d = store.getDeployment(this.db, lease.deploymentId);
    if (!d) throw new MarketplaceError("NOT_FOUND", "No such lease.");
    if (report.accepted && report.hash === d.manifestHash) {
      this.transact((tx, emit) => {
        tx.update(marketLeases).set({ state: "active", manifestAcceptedAt: new Date(this.now()) }).where(eq(marketLeases.id, leaseId)).run();
        emit(d.id, "ManifestReceived", { leaseId, nodeId, hash: report.hash });
      });
      return;
    }
    const reason = report.accepted ? `the node reported manifest hash ${report.hash.slice(0, 12)}…, the order's is ${d.manifestHash.slice(0, 12)}…` : report.reason;
    this.transact((tx, emit) => {
      emit(d.id, "ManifestRejected", { leaseId, nodeId, reason });
      this.closeLeaseAndReorder(tx, emit, lease, "manifest-rejected");
    });
  }

  /**
   * A node's news about a lease's services, metrics and logs. A service said to be served at an
   * address the host must not connect to (node-uri.ts) counts as failed, with the reason.
   */
  leaseReport(nodeId: string, leaseId: string, reported: { services: LeaseServiceStatus[]; metrics: unknown; logs: { at: number; line: string }[] }, from: { nodeOnThisMachine: () => boolean }): void {
    const lease = store.getLease(this.db, leaseId);
    if (!lease || lease.nodeId !== nodeId) throw new MarketplaceError("NOT_FOUND", "No such lease.");
    if (lease.state === "closed") return;
    const report = { ...reported, services: reported.services.map((s) => withAllowedUri(s, from.nodeOnThisMachine)) };
    const before = new Map((lease.services as LeaseServiceStatus[]).map((s) => [s.name, s.state]));
    this.transact((tx, emit) => {
      store.appendLogs(tx, leaseId, report.logs, this.logLinesPerLease);
      const services = report.services.length > 0 ? report.services : (lease.services as LeaseServiceStatus[]);
      tx.update(marketLeases).set({ services, metrics: report.metrics ?? lease.metrics }).where(eq(marketLeases.id, leaseId)).run();
      for (const s of report.services) {
        if (before.get(s.name) === s.state) continue;
        const type = ({ starting: "ServiceStarting", ready: "ServiceReady", "not-run": "ServiceNotRun", unhealthy: "ServiceUnhealthy", failed: "ServiceFailed" } as const)[s.state];
        emit(lease.deploymentId, type, { leaseId, nodeId, service: s.name, state: s.state, uri: s.uri, message: s.message, ...(s.notRun ? { image: s.notRun.image } : {}) });
      }
      if (services.some((s) => s.state === "failed")) {
        this.closeLeaseAndReorder(tx, emit, lease, "workload-failed");
        return;
      }
      // Ready once every service is settled: serving, or leased and reported not run (a
      // container-only deployment is "ready" as leased; nothing routes to a not-run service).
      const settled = services.length > 0 && services.every((s) => s.state === "ready" || s.state === "not-run");
      const status = lease.state === "active" && settled ? "ready" : "leased";
      tx.update(marketDeployments).set({ status }).where(eq(marketDeployments.id, lease.deploymentId)).run();
    });
  }

  // ---------------------------------------------------------------- orders and leases

  armOrderTimer(orderId: string, at: number): void {
    clearTimeout(this.orderTimers.get(orderId));
    const timer = setTimeout(() => this.decide(orderId), Math.max(0, at - this.now()));
    timer.unref();
    this.orderTimers.set(orderId, timer);
  }

  /** Places an order for a deployment (first or a re-order) and opens its bid window. */
  placeOrder(tx: DbTx, emit: (d: string, t: LeaseEventType, data?: Record<string, unknown>) => void, deploymentId: string, attempt: number, excludedNodes: string[]): string {
    const id = newId("ord");
    const now = this.now();
    tx.insert(marketOrders).values({ id, deploymentId, attempt, state: "open", createdAt: new Date(now), bidDeadline: new Date(now + this.bidWindowMs), excludedNodes }).run();
    tx.update(marketDeployments).set({ status: "ordering", statusMessage: null }).where(eq(marketDeployments.id, deploymentId)).run();
    emit(deploymentId, "OrderCreated", { orderId: id, attempt, excludedNodes });
    // Once the transaction commits (queueMicrotask runs after it returns): arm the bid window,
    // or decide at once when no live node may bid at all (nobody to wait for).
    queueMicrotask(() => {
      if (this.everyLiveNodeAnswered(id)) this.decide(id);
      else this.armOrderTimer(id, now + this.bidWindowMs);
    });
    return id;
  }

  /** Closes the bid window: the cheapest eligible bid wins and gets a lease (spec §1.6). */
  decide(orderId: string): void {
    clearTimeout(this.orderTimers.get(orderId));
    this.orderTimers.delete(orderId);
    this.transact((tx, emit) => {
      const order = store.getOrder(tx, orderId);
      const d = order && store.getDeployment(tx, order.deploymentId);
      if (!order || !d || order.state !== "open") return;
      const requirements = store.requirementsOf(d);
      const nodes = new Map(store.upNodes(tx).map((n) => [n.id, n]));
      let bids = store.bidsFor(tx, orderId);
      const max = BigInt(d.maxPriceWeiPerSecond);
      // Defence in depth: a node's own reservation should make this hold; check it anyway.
      for (;;) {
        const winner = pickWinner(bids, { maxPriceWeiPerSecond: max, excludedNodes: order.excludedNodes, nodeIsUp: (id) => nodes.has(id) });
        if (!winner) break;
        const node = nodes.get(winner.nodeId);
        const gpu = requirements.gpu;
        const held = store.liveLeasesOfNode(tx, winner.nodeId).map((l) => ({ model: l.gpuModel, count: l.gpuCount }));
        const fits = !gpu || (winner.gpuModel !== null && gpu.models.includes(winner.gpuModel) && gpusFree(store.toNode(node as store.NodeRow).inventory.gpus, held, winner.gpuModel, gpu.count));
        if (!fits) {
          bids = bids.filter((b) => b !== winner);
          continue;
        }
        this.createLease(tx, emit, order, d, winner.nodeId, winner.priceWeiPerSecond, winner.gpuModel, gpu?.count ?? 0);
        return;
      }
      const declines = store.answersFor(tx, orderId).flatMap((a) => {
        const reason = a.declineReason ?? (a.priceWeiPerSecond !== null ? "its GPUs were taken by another lease" : null);
        return reason ? [{ nodeName: nodes.get(a.nodeId)?.name ?? a.nodeId, reason }] : [];
      });
      const message = explainNoBids(requirements, max, declines);
      closeWithoutBids(this, tx, emit, order, d, message);
    });
  }

  private createLease(tx: DbTx, emit: (d: string, t: LeaseEventType, data?: Record<string, unknown>) => void, order: store.OrderRow, d: store.DeploymentRow, nodeId: string, price: bigint, gpuModel: string | null, gpuCount: number): void {
    const now = this.now();
    const leaseId = newId("lse");
    const services: LeaseServiceStatus[] = (JSON.parse(d.manifest) as { services: ManifestService[] }).services.map((s) => ({ name: s.name, state: "starting", uri: null, message: null }));
    tx.update(marketOrders).set({ state: "matched" }).where(eq(marketOrders.id, order.id)).run();
    tx.insert(marketLeases)
      .values({ id: leaseId, deploymentId: d.id, orderId: order.id, nodeId, priceWeiPerSecond: price.toString(), gpuModel, gpuCount, state: "awaiting-manifest", accessToken: newSecret(), createdAt: new Date(now), manifestDeadline: new Date(now + this.manifestTimeoutMs), services })
      .run();
    tx.update(marketDeployments)
      .set({ status: "leased", statusMessage: null, endsAt: d.endsAt ?? new Date(now + d.durationSeconds * 1000) })
      .where(eq(marketDeployments.id, d.id))
      .run();
    emit(d.id, "OrderMatched", { orderId: order.id, nodeId, priceWeiPerSecond: price.toString(), gpuModel });
    emit(d.id, "LeaseCreated", { leaseId, orderId: order.id, nodeId, priceWeiPerSecond: price.toString(), gpuModel, gpuCount });
  }

  closeOrder(tx: DbTx, emit: (d: string, t: LeaseEventType, data?: Record<string, unknown>) => void, orderId: string, deploymentId: string, reason: string): void {
    tx.update(marketOrders).set({ state: "closed", closedReason: reason }).where(eq(marketOrders.id, orderId)).run();
    emit(deploymentId, "OrderClosed", { orderId, reason });
  }

  closeLease(tx: DbTx, emit: (d: string, t: LeaseEventType, data?: Record<string, unknown>) => void, lease: store.LeaseRow, reason: LeaseCloseReason): void {
    tx.update(marketLeases).set({ state: "closed", closedAt: new Date(this.now()), closeReason: reason }).where(eq(marketLeases.id, lease.id)).run();
    emit(lease.deploymentId, "LeaseClosed", { leaseId: lease.id, nodeId: lease.nodeId, reason });
  }

  /** Failover: the lease ends, and the same deployment orders again without that node. */
  closeLeaseAndReorder(tx: DbTx, emit: (d: string, t: LeaseEventType, data?: Record<string, unknown>) => void, lease: store.LeaseRow, reason: LeaseCloseReason): void {
    this.closeLease(tx, emit, lease, reason);
    const d = store.getDeployment(tx, lease.deploymentId);
    const last = store.currentOrder(tx, lease.deploymentId);
    if (!d || d.status === "closed") return;
    const failures = store.consecutiveFailedLeases(tx, d.id);
    if (!last || failures >= this.maxAttempts) {
      tx.update(marketDeployments).set({ status: "failed", statusMessage: `Gave up after ${failures} leases in a row failed (last: ${reason}).` }).where(eq(marketDeployments.id, d.id)).run();
      return;
    }
    this.placeOrder(tx, emit, d.id, last.attempt + 1, [...new Set([...last.excludedNodes, lease.nodeId])]);
  }

  // ---------------------------------------------------------------- the sweeper

  /** Down nodes, manifest watchdogs, paid time that ran out, bid windows missed, failover retries. */
  sweep(): void {
    sweep(this);
  }

  hasOrderTimer = (orderId: string): boolean => this.orderTimers.has(orderId);
  /** A node that was up before a restart may stay silent for the restart grace (ADR 028). */
  inRestartGrace = (nodeId: string, now: number): boolean => now < this.graceUntil && this.returning.has(nodeId);
}

function withAllowedUri(service: LeaseServiceStatus, nodeOnThisMachine: () => boolean): LeaseServiceStatus {
  const problem = service.uri ? nodeServiceUriProblem(service.uri, nodeOnThisMachine) : null;
  return problem ? { name: service.name, state: "failed", uri: null, message: `The node's address for ${service.name} is refused: ${problem}.` } : service;
}
