import { randomBytes } from "node:crypto";
import { and, count, desc, eq } from "drizzle-orm";
import type { Db } from "#db/client";
import type { HotStatements } from "#db/hot-statements";
import { modelEndpoints, publishedAgents } from "#db/schema";
import { findModel } from "#agents/catalog/index";
import { newId } from "#agents/graph/index";
import { MarketplaceError, type DeploymentStatus, type Marketplace, type NodeKind, type ServingEndpoint } from "../marketplace/marketplace";
import { recordAudit } from "./audit";
import { UNTIL_STOPPED_SECONDS, weiPerSecondFromSponPerHour } from "./deployment-plan";
import { endpointCatalog, planEndpoint, type CatalogQuery, type EndpointTask } from "./endpoint-catalog";
import { endpointMetrics, type RequestRecord } from "./endpoint-metrics";
import { EndpointRequestBuffer } from "./endpoint-request-buffer";
import { badRequest, notFound } from "./errors";
import type { LeaseBillingSync } from "./lease-billing-sync";
import type { TeamScope } from "./flows";
import { bidRows, eventView, leaseView, storedEvents } from "./market-events";
import { escrowViewOf, priceOf, type DeploymentEventView, type EndpointCatalogEntry, type EndpointDetail, type EndpointMetrics, type EndpointSummary } from "./market-views";

/**
 * One-click model endpoints (issue 12, ADR 028): a model from the catalog deployed on the
 * marketplace and served at `<host>/v1` under a slug unique in the team. Stopping closes the
 * deployment; starting orders a new one under the same slug. An endpoint with idle minutes
 * sleeps (marketplace.sleep) after that long without a request and wakes on the next one.
 * The gateway finds endpoints by slug, waits for them to serve, and records each request.
 * For the gateway's speed, rows it reads per request are cached in memory (every change to an
 * endpoint goes through this service, which forgets them) and its writes are batched
 * (EndpointRequestBuffer); readers flush the batch first.
 */
export type EndpointRow = typeof modelEndpoints.$inferSelect;
export type CreateEndpointInput = {
  modelId: string;
  /** null: until stopped. */
  durationHours: number | null;
  /** Minutes without a request before it sleeps; null: never. */
  idleMinutes: number | null;
  gpu?: string;
  mode?: NodeKind;
  maxPricePerHourSpon?: string;
};

export const MAX_RUNNING_ENDPOINTS_PER_TEAM = 20;
const IDLE_CHECK_EVERY_MS = 5_000;

export function endpointSlug(title: string): string {
  const base = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50).replace(/-+$/, "") || "model";
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  const suffix = [...randomBytes(4)].map((b) => alphabet[b % alphabet.length]).join("");
  return `${/^[a-z]/.test(base) ? base : `m-${base}`}-${suffix}`;
}

/** Cached rows beyond this many are dropped all at once (a cache miss costs one indexed read). */
const MAX_CACHED_ROWS = 10_000;

export class EndpointService {
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly requests: EndpointRequestBuffer;
  /** `teamId slug` → the endpoint (null: no endpoint has that slug), for the gateway's lookups. */
  private readonly bySlug = new Map<string, EndpointRow | null>();
  /** `teamId id` → the endpoint, for `serving()`. */
  private readonly byId = new Map<string, EndpointRow>();

  constructor(
    private readonly deps: {
      db: Db;
      /** The prepared statement request records are written with (db/hot-statements.ts). */
      statements: Pick<HotStatements, "insertEndpointRequest">;
      marketplace: Marketplace;
      publicUrl: string;
      now?: () => number;
      /** Pays leases from the team's escrow (billing on); absent: endpoints are not billed. */
      leaseBilling?: LeaseBillingSync;
      flushEveryMs?: number;
    },
  ) {
    this.now = deps.now ?? Date.now;
    this.requests = new EndpointRequestBuffer(deps.db, deps.statements, deps.flushEveryMs);
  }

  startIdleTimer(): void {
    this.timer = setInterval(() => void this.sleepIdle().catch((error: unknown) => console.error("endpoints: idle check failed:", error)), IDLE_CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** Stops the idle check and writes every pending request record (before the database closes). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.requests.stop();
  }

  /** Writes pending request records and last-used times now (readers call it first). */
  flushRequests(): void {
    this.requests.flush();
  }

  /** Every change to an endpoint row calls this (billing's stop too), so no request is routed by a stale row. */
  forgetCached(): void {
    this.bySlug.clear();
    this.byId.clear();
  }

  private get db() {
    return this.deps.db;
  }

  // ---------------------------------------------------------------- reading

  async catalog(query: CatalogQuery & { task?: EndpointTask }): Promise<EndpointCatalogEntry[]> {
    return endpointCatalog(query, await this.deps.marketplace.listOffers());
  }

  private row(teamId: string, id: string): EndpointRow {
    const row = this.db.select().from(modelEndpoints).where(and(eq(modelEndpoints.id, id), eq(modelEndpoints.teamId, teamId))).get();
    if (!row) throw notFound("Endpoint");
    return row;
  }

  private ref(row: EndpointRow) {
    return row.marketDeploymentId ? { teamId: row.teamId, deploymentId: row.marketDeploymentId } : null;
  }

  private async statusOf(row: EndpointRow): Promise<DeploymentStatus | null> {
    const ref = this.ref(row);
    return ref ? this.deps.marketplace.status(ref) : null;
  }

  private async summaryOf(row: EndpointRow, status: DeploymentStatus | null): Promise<EndpointSummary> {
    const model = findModel(row.modelId);
    const nodes = status?.node ? await this.deps.marketplace.listNodes() : [];
    const node = nodes.find((n) => n.id === status?.node?.id);
    const live = status?.lease && status.lease.state !== "closed" ? status.lease : null;
    return {
      id: row.id,
      slug: row.slug,
      modelId: row.modelId,
      modelTitle: model?.title ?? row.modelId,
      task: model?.kind === "embeddings" ? "embeddings" : "chat",
      state: row.state,
      status: row.state === "stopped" ? "stopped" : (status?.status ?? "ordering"),
      // A stop by billing says why ("Funds ran out …"); the team's own stop needs no words.
      message: row.state === "stopped" ? (status?.message !== "Stopped." ? (status?.message ?? null) : null) : (status?.message ?? null),
      url: `${this.deps.publicUrl}/v1`,
      gpu: live ? { model: live.gpuModel, count: live.gpuCount } : null,
      node: status?.node ?? null,
      backend: node?.capabilities.modelServing?.label ?? null,
      price: live ? priceOf(live.priceWeiPerSecond) : null,
      maxPrice: priceOf(BigInt(row.maxPriceWeiPerSecond)),
      durationHours: row.durationHours,
      idleMinutes: row.idleMinutes,
      lastRequestAt: row.lastRequestAt?.getTime() ?? null,
      createdAt: row.createdAt.getTime(),
      escrow: escrowViewOf(this.deps.leaseBilling?.leases, row.marketDeploymentId, this.now()),
    };
  }

  async list(scope: Pick<TeamScope, "teamId">): Promise<EndpointSummary[]> {
    this.flushRequests();
    const rows = this.db.select().from(modelEndpoints).where(eq(modelEndpoints.teamId, scope.teamId)).orderBy(desc(modelEndpoints.createdAt)).limit(200).all();
    return Promise.all(rows.map(async (r) => this.summaryOf(r, await this.statusOf(r))));
  }

  async get(scope: Pick<TeamScope, "teamId">, id: string): Promise<EndpointDetail> {
    this.flushRequests();
    const row = this.row(scope.teamId, id);
    const status = await this.statusOf(row);
    const ref = this.ref(row);
    const events = ref && status ? await storedEvents(this.deps.marketplace, ref) : [];
    return {
      ...(await this.summaryOf(row, status)),
      deploymentId: row.marketDeploymentId,
      manifestHash: status?.manifestHash ?? null,
      lease: status ? leaseView(status) : null,
      bids: status ? bidRows(events, status) : [],
    };
  }

  async events(scope: Pick<TeamScope, "teamId">, id: string, after = 0): Promise<{ events: DeploymentEventView[]; last: number }> {
    const ref = this.ref(this.row(scope.teamId, id));
    const events = ref ? (await storedEvents(this.deps.marketplace, ref, after)).map(eventView) : [];
    return { events, last: events.at(-1)?.seq ?? after };
  }

  async logs(scope: Pick<TeamScope, "teamId">, id: string, options: { search?: string; limit?: number } = {}) {
    const ref = this.ref(this.row(scope.teamId, id));
    const limit = Math.min(Math.max(options.limit ?? 200, 1), 2000);
    if (!ref) return { lines: [] };
    const all = await this.deps.marketplace.logs(ref, { limit: 5000 });
    const needle = options.search?.trim().toLowerCase();
    const lines = (needle ? all.filter((l) => l.line.toLowerCase().includes(needle)) : all).slice(-limit);
    return { lines };
  }

  metrics(teamId: string, endpointId: string, options: { sinceMs: number; bucketMs: number }): EndpointMetrics {
    this.row(teamId, endpointId);
    this.flushRequests();
    return endpointMetrics(this.db, teamId, endpointId, { ...options, now: this.now() });
  }

  // ---------------------------------------------------------------- changing

  /** Places the endpoint's deployment; with billing on, its escrow is reserved and locked first (refused: "Add funds …"). */
  private async deploy(teamId: string, spec: { modelId: string; mode: NodeKind; gpu: string; durationHours: number | null; maxWeiPerSecond: bigint | null }, slug: string, endpointId: string) {
    const planned = planEndpoint(teamId, spec, slug);
    const max = spec.maxWeiPerSecond ?? planned.input.budget.maxPriceWeiPerSecond;
    const durationSeconds = spec.durationHours === null ? UNTIL_STOPPED_SECONDS : spec.durationHours * 3600;
    const budget = { maxPriceWeiPerSecond: max, durationSeconds, escrowWei: max * BigInt(durationSeconds) };
    const place = () => this.deps.marketplace.createDeployment({ ...planned.input, teamId, name: `endpoint/${slug}`, budget });
    const billing = this.deps.leaseBilling;
    const status = billing ? await billing.placePaid({ teamId, budget, subject: { kind: "endpoint", id: endpointId, label: slug } }, place) : await place();
    return { status, max };
  }

  /** Closes the deployment and ends its escrow order (the unused escrow comes back). */
  private async closeDeployment(ref: { teamId: string; deploymentId: string }): Promise<void> {
    await this.deps.marketplace.close(ref);
    await this.deps.leaseBilling?.closeDeployment(ref.deploymentId);
  }

  private slugFree(teamId: string, slug: string): boolean {
    const taken = (t: typeof modelEndpoints | typeof publishedAgents) =>
      this.db.select({ id: t.id }).from(t).where(and(eq(t.teamId, teamId), eq(t.slug, slug))).get() !== undefined;
    return !taken(modelEndpoints) && !taken(publishedAgents);
  }

  private runningCount(teamId: string): number {
    return this.db.select({ n: count() }).from(modelEndpoints).where(and(eq(modelEndpoints.teamId, teamId), eq(modelEndpoints.state, "running"))).get()?.n ?? 0;
  }

  async create(scope: TeamScope, input: CreateEndpointInput): Promise<EndpointDetail> {
    if (input.durationHours !== null && (!Number.isInteger(input.durationHours) || input.durationHours < 1 || input.durationHours > 8760)) {
      throw badRequest('durationHours: a whole number of hours from 1 to 8760, or null for "until stopped".');
    }
    if (input.idleMinutes !== null && (!Number.isInteger(input.idleMinutes) || input.idleMinutes < 1 || input.idleMinutes > 10_080)) {
      throw badRequest("idleMinutes: a whole number of minutes from 1 to 10080 (a week), or null to never sleep.");
    }
    if (this.runningCount(scope.teamId) >= MAX_RUNNING_ENDPOINTS_PER_TEAM) throw badRequest(`A team runs at most ${MAX_RUNNING_ENDPOINTS_PER_TEAM} endpoints; stop one first.`);
    const model = findModel(input.modelId);
    if (!model) throw badRequest(`modelId: "${input.modelId}" is not in the model catalog.`);
    let slug = endpointSlug(model.title);
    while (!this.slugFree(scope.teamId, slug)) slug = endpointSlug(model.title);
    const spec = {
      modelId: model.id,
      mode: input.mode ?? "provider",
      gpu: input.gpu ?? "auto",
      durationHours: input.durationHours,
      maxWeiPerSecond: input.maxPricePerHourSpon === undefined ? null : weiPerSecondFromSponPerHour(input.maxPricePerHourSpon),
    };
    const id = newId("ep");
    const { status, max } = await this.deploy(scope.teamId, spec, slug, id);
    const now = new Date(this.now());
    try {
      this.db.transaction((tx) => {
        // Checked again where it is written: two creates at once cannot both pass the limit.
        if (this.runningCount(scope.teamId) >= MAX_RUNNING_ENDPOINTS_PER_TEAM) throw badRequest(`A team runs at most ${MAX_RUNNING_ENDPOINTS_PER_TEAM} endpoints; stop one first.`);
        tx.insert(modelEndpoints)
          .values({ id, teamId: scope.teamId, slug, modelId: model.id, gpu: spec.gpu, mode: spec.mode, durationHours: spec.durationHours, idleMinutes: input.idleMinutes, maxPriceWeiPerSecond: max.toString(), marketDeploymentId: status.id, state: "running", createdBy: scope.userId, createdAt: now, updatedAt: now })
          .run();
        recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "endpoint.create", targetId: id, detail: { modelId: model.id, slug } });
      });
      this.forgetCached();
    } catch (error) {
      await this.closeDeployment({ teamId: scope.teamId, deploymentId: status.id });
      throw error;
    }
    return this.get(scope, id);
  }

  async stop(scope: TeamScope, id: string): Promise<EndpointDetail> {
    const row = this.row(scope.teamId, id);
    const ref = this.ref(row);
    if (ref) await this.closeDeployment(ref);
    this.db.update(modelEndpoints).set({ state: "stopped", updatedAt: new Date(this.now()) }).where(eq(modelEndpoints.id, row.id)).run();
    this.forgetCached();
    recordAudit(this.db, { teamId: scope.teamId, actorId: scope.userId, action: "endpoint.stop", targetId: id });
    return this.get(scope, id);
  }

  /** A new deployment under the same slug. */
  async start(scope: TeamScope, id: string): Promise<EndpointDetail> {
    const row = this.row(scope.teamId, id);
    if (row.state === "running") return this.get(scope, id);
    if (this.runningCount(scope.teamId) >= MAX_RUNNING_ENDPOINTS_PER_TEAM) throw badRequest(`A team runs at most ${MAX_RUNNING_ENDPOINTS_PER_TEAM} endpoints; stop one first.`);
    const { status } = await this.deploy(scope.teamId, { modelId: row.modelId, mode: row.mode, gpu: row.gpu, durationHours: row.durationHours, maxWeiPerSecond: BigInt(row.maxPriceWeiPerSecond) }, row.slug, row.id);
    this.flushRequests(); // an older last use must not land after the reset below
    this.db.update(modelEndpoints).set({ state: "running", marketDeploymentId: status.id, lastRequestAt: null, updatedAt: new Date(this.now()) }).where(eq(modelEndpoints.id, row.id)).run();
    this.forgetCached();
    recordAudit(this.db, { teamId: scope.teamId, actorId: scope.userId, action: "endpoint.start", targetId: id });
    return this.get(scope, id);
  }

  async delete(scope: TeamScope, id: string): Promise<{ id: string }> {
    const row = this.row(scope.teamId, id);
    const ref = this.ref(row);
    if (ref) await this.closeDeployment(ref);
    this.db.transaction((tx) => {
      tx.delete(modelEndpoints).where(eq(modelEndpoints.id, row.id)).run();
      recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "endpoint.delete", targetId: id, detail: { slug: row.slug } });
    });
    this.forgetCached();
    return { id };
  }

  // ---------------------------------------------------------------- for the gateway

  /** The team's endpoint with this slug (cached: every agent request asks too, and gets null). */
  findBySlug(teamId: string, slug: string): EndpointRow | null {
    const key = `${teamId} ${slug}`;
    const cached = this.bySlug.get(key);
    if (cached !== undefined) return cached;
    const row = this.db.select().from(modelEndpoints).where(and(eq(modelEndpoints.teamId, teamId), eq(modelEndpoints.slug, slug))).get() ?? null;
    if (this.bySlug.size >= MAX_CACHED_ROWS) this.bySlug.clear();
    this.bySlug.set(key, row);
    return row;
  }

  private cachedRow(teamId: string, id: string): EndpointRow {
    const key = `${teamId} ${id}`;
    const cached = this.byId.get(key);
    if (cached) return cached;
    const row = this.row(teamId, id);
    if (this.byId.size >= MAX_CACHED_ROWS) this.byId.clear();
    this.byId.set(key, row);
    return row;
  }

  /** Where the endpoint is served now; waits (bounded) while it is ordered, started or woken. */
  async serving(teamId: string, endpointId: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ServingEndpoint> {
    const row = this.cachedRow(teamId, endpointId);
    const ref = this.ref(row);
    if (row.state === "stopped" || !ref) throw new MarketplaceError("UNAVAILABLE", `The endpoint ${row.slug} is stopped; start it on its page.`);
    // A request counts as activity from its start, so a long one does not let the endpoint sleep.
    this.requests.touch(row.teamId, row.id, this.now());
    return this.deps.marketplace.endpoint(ref, options);
  }

  /** Kept for the endpoint's metrics and metering; written with the next batch. */
  recordRequest(record: RequestRecord): void {
    this.requests.record(record);
  }

  /** Puts to sleep every running endpoint idle for its idle minutes; returns their ids. */
  async sleepIdle(now = this.now()): Promise<string[]> {
    this.flushRequests();
    const rows = this.db.select().from(modelEndpoints).where(eq(modelEndpoints.state, "running")).all();
    const slept: string[] = [];
    for (const row of rows) {
      const ref = this.ref(row);
      if (row.idleMinutes === null || !ref) continue;
      const lastActive = Math.max(row.lastRequestAt?.getTime() ?? 0, row.updatedAt.getTime());
      if (now - lastActive < row.idleMinutes * 60_000) continue;
      const status = await this.deps.marketplace.status(ref);
      if (status.status === "sleeping" || status.status === "failed" || status.status === "closed") continue;
      await this.deps.marketplace.sleep(ref);
      slept.push(row.id);
    }
    return slept;
  }
}
