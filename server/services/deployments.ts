import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "#db/client";
import { flowDeployments, flows, flowVersions, type DeployedWorkload } from "#db/schema";
import { newId } from "#agents/graph/index";
import type { DeploymentStatus, Marketplace } from "../marketplace/marketplace";
import { weiPerSecondFromMicroSponPerHour } from "../marketplace/rules";
import { recordAudit } from "./audit";
import { budgetFor, compileFlowForDeploy, type DeployOptions } from "./deployment-plan";
import { quoteFlow } from "./deployment-quote";
import { badRequest, conflict, notFound } from "./errors";
import type { LeaseBillingSync } from "./lease-billing-sync";
import { createFlowVersion, getFlow, type TeamScope } from "./flows";
import { bidRows, eventView, leaseView, storedEvents } from "./market-events";
import { escrowViewOf, priceOf, type DeploymentEventView, type DeploymentQuote, type FlowDeploymentDetail, type FlowDeploymentSummary } from "./market-views";

/**
 * A team's deployments of its flows on the compute marketplace (ADR 028). Deploying compiles
 * the flow for dispatch (credentials filled in), snapshots a flow version, and places one
 * marketplace deployment per deployment group; `flow_deployments` says whose it is. Redeploying
 * (a newer version, other replicas) places new deployments and closes the old ones only once
 * the new ones are ready (the reconciler below), so the endpoint never goes dark in between.
 */
export type DeploymentRow = typeof flowDeployments.$inferSelect;

const RECONCILE_EVERY_MS = 500;

export class DeploymentService {
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      db: Db;
      secretKey: Buffer;
      marketplace: Marketplace;
      /** Pays leases from the team's escrow (billing on); absent: deployments are not billed. */
      leaseBilling?: LeaseBillingSync;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reconciling;
  }

  private get db() {
    return this.deps.db;
  }

  // ---------------------------------------------------------------- reading

  private row(scope: TeamScope, id: string): DeploymentRow {
    const row = this.db.select().from(flowDeployments).where(and(eq(flowDeployments.id, id), eq(flowDeployments.teamId, scope.teamId))).get();
    if (!row) throw notFound("Deployment");
    return row;
  }

  private ref(row: DeploymentRow) {
    return { teamId: row.teamId, deploymentId: row.marketDeploymentId };
  }

  private summaryOf(row: DeploymentRow, status: DeploymentStatus, flow: { name: string; versionNumber: number }): FlowDeploymentSummary {
    return {
      id: row.id,
      flowId: row.flowId,
      flowName: flow.name,
      flowVersionId: row.flowVersionId,
      versionNumber: flow.versionNumber,
      groupName: row.groupName,
      replicas: row.replicas,
      durationHours: row.durationHours,
      state: row.state,
      status: status.status,
      message: status.message,
      node: status.node,
      price: status.lease && status.lease.state !== "closed" ? priceOf(status.lease.priceWeiPerSecond) : null,
      maxPrice: priceOf(status.maxPriceWeiPerSecond),
      createdAt: row.createdAt.getTime(),
      endsAt: row.durationHours === null ? null : status.endsAt,
      replacesId: row.replacesId,
      escrow: escrowViewOf(this.deps.leaseBilling?.leases, row.marketDeploymentId),
    };
  }

  private flowLabel(row: DeploymentRow) {
    const v = this.db
      .select({ name: flows.name, versionNumber: flowVersions.number })
      .from(flowVersions)
      .innerJoin(flows, eq(flows.id, flowVersions.flowId))
      .where(eq(flowVersions.id, row.flowVersionId))
      .get();
    return v ?? { name: "?", versionNumber: 0 };
  }

  async list(scope: TeamScope, input: { flowId?: string } = {}): Promise<FlowDeploymentSummary[]> {
    const where = input.flowId ? and(eq(flowDeployments.teamId, scope.teamId), eq(flowDeployments.flowId, input.flowId)) : eq(flowDeployments.teamId, scope.teamId);
    const rows = this.db.select().from(flowDeployments).where(where).orderBy(desc(flowDeployments.createdAt)).limit(200).all();
    return Promise.all(rows.map(async (r) => this.summaryOf(r, await this.deps.marketplace.status(this.ref(r)), this.flowLabel(r))));
  }

  async get(scope: TeamScope, id: string): Promise<FlowDeploymentDetail> {
    const row = this.row(scope, id);
    const status = await this.deps.marketplace.status(this.ref(row));
    const events = await storedEvents(this.deps.marketplace, this.ref(row));
    const offer = status.node ? (await this.deps.marketplace.listOffers()).find((o) => o.nodeId === status.node?.id) : undefined;
    return {
      ...this.summaryOf(row, status, this.flowLabel(row)),
      manifestHash: status.manifestHash,
      order: status.order ? { id: status.order.id, attempt: status.order.attempt, state: status.order.state, bidDeadline: status.order.bidDeadline, closedReason: status.order.closedReason } : null,
      lease: leaseView(status),
      bids: bidRows(events, status),
      backend: offer?.backend ?? null,
    };
  }

  async events(scope: TeamScope, id: string, after = 0): Promise<{ events: DeploymentEventView[]; last: number }> {
    const row = this.row(scope, id);
    const events = (await storedEvents(this.deps.marketplace, this.ref(row), after)).map(eventView);
    return { events, last: events.at(-1)?.seq ?? after };
  }

  // ---------------------------------------------------------------- quoting and deploying

  async quote(scope: TeamScope, flowId: string): Promise<DeploymentQuote> {
    const flow = getFlow(this.db, scope, flowId);
    const groups = compileFlowForDeploy(this.db, this.deps.secretKey, scope.teamId, flow, {});
    const offers = await this.deps.marketplace.listOffers();
    return quoteFlow(
      flow.id,
      groups.map((g) => ({ input: g.input, catalogWeiPerSecond: weiPerSecondFromMicroSponPerHour(g.estimateMicroSponPerHour) })),
      offers,
    );
  }

  /** Deploys the flow as saved now: one deployment per deployment group. */
  async create(scope: TeamScope, input: { flowId: string } & DeployOptions, replacing: DeploymentRow[] = []): Promise<FlowDeploymentSummary[]> {
    const flow = getFlow(this.db, scope, input.flowId);
    const groups = compileFlowForDeploy(this.db, this.deps.secretKey, scope.teamId, flow, input);
    const version = createFlowVersion(this.db, scope, { flowId: flow.id, message: "Deployed" });
    const out: FlowDeploymentSummary[] = [];
    for (const g of groups) {
      const budget = budgetFor(g, groups, input);
      const id = newId("fdep");
      const place = () => this.deps.marketplace.createDeployment({ ...g.input, teamId: scope.teamId, budget });
      const subject = { kind: "deployment" as const, id, label: groups.length > 1 ? `${flow.name} v${version.number} (${g.input.manifest.name})` : `${flow.name} v${version.number}` };
      let status;
      try {
        status = this.deps.leaseBilling ? await this.deps.leaseBilling.placePaid({ teamId: scope.teamId, budget, subject }, place) : await place();
      } catch (error) {
        // A later group refused (no funds for it): the groups placed before it stop too, nothing half-deployed.
        await Promise.all(out.map((d) => this.stop(scope, d.id)));
        throw error;
      }
      const replaces = replacing.find((r) => r.groupName === g.input.manifest.name) ?? null;
      const row: DeploymentRow = {
        id,
        teamId: scope.teamId,
        flowId: flow.id,
        flowVersionId: version.id,
        groupName: g.input.manifest.name,
        marketDeploymentId: status.id,
        workloads: g.workloads,
        replicas: g.input.requirements.replicas,
        durationHours: input.durationHours,
        state: "active",
        replacesId: replaces?.id ?? null,
        createdBy: scope.userId,
        createdAt: new Date(),
        stoppedAt: null,
      };
      this.db.transaction((tx) => {
        tx.insert(flowDeployments).values(row).run();
        if (replaces) tx.update(flowDeployments).set({ state: "replacing" }).where(eq(flowDeployments.id, replaces.id)).run();
        recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "deployment.create", targetId: row.id, detail: { flowId: flow.id, versionId: version.id } });
      });
      out.push(this.summaryOf(row, status, { name: flow.name, versionNumber: version.number }));
    }
    return out;
  }

  async stop(scope: TeamScope, id: string): Promise<FlowDeploymentSummary> {
    const row = this.row(scope, id);
    const status = await this.deps.marketplace.close(this.ref(row));
    await this.deps.leaseBilling?.closeDeployment(row.marketDeploymentId);
    this.db.transaction((tx) => {
      tx.update(flowDeployments).set({ state: "stopped", stoppedAt: row.stoppedAt ?? new Date() }).where(eq(flowDeployments.id, row.id)).run();
      recordAudit(tx, { teamId: scope.teamId, actorId: scope.userId, action: "deployment.stop", targetId: row.id });
    });
    return this.summaryOf({ ...row, state: "stopped" }, status, this.flowLabel(row));
  }

  /** The flow as saved now, deployed again; the old deployment serves until the new one is ready. */
  async redeploy(scope: TeamScope, id: string, options: { replicas?: number } = {}): Promise<FlowDeploymentSummary[]> {
    const row = this.row(scope, id);
    if (row.state === "stopped") throw conflict("This deployment is stopped; deploy the flow again instead.");
    if (row.state === "replacing") throw conflict("A newer deployment is already on its way; wait until it is ready or stop it.");
    return this.create(scope, { flowId: row.flowId, durationHours: row.durationHours, replicas: options.replicas ?? row.replicas }, [row]);
  }

  async setReplicas(scope: TeamScope, id: string, replicas: number): Promise<FlowDeploymentSummary[]> {
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 20) throw badRequest("replicas: a whole number from 1 to 20.");
    return this.redeploy(scope, id, { replicas });
  }

  // ---------------------------------------------------------------- for the runtime and publishing

  /** The team's live deployments of a flow serving this graph node, newest first. */
  deploymentsServing(teamId: string, flowId: string, nodeId: string): DeploymentRow[] {
    return this.db
      .select()
      .from(flowDeployments)
      .where(and(eq(flowDeployments.teamId, teamId), eq(flowDeployments.flowId, flowId), inArray(flowDeployments.state, ["active", "replacing"])))
      .orderBy(desc(flowDeployments.createdAt))
      .all()
      .filter((r) => (r.workloads as DeployedWorkload[]).some((w) => w.node === nodeId && w.servedName !== null));
  }

  async statusOf(row: DeploymentRow): Promise<DeploymentStatus> {
    return this.deps.marketplace.status(this.ref(row));
  }

  // ---------------------------------------------------------------- the reconciler

  /** Closes deployments whose replacement is ready; gives the old one back when it failed. */
  async reconcile(): Promise<void> {
    if (this.reconciling) return this.reconciling;
    this.reconciling = (async () => {
      const replacing = this.db.select().from(flowDeployments).where(eq(flowDeployments.state, "replacing")).all();
      for (const old of replacing) {
        const next = this.db.select().from(flowDeployments).where(eq(flowDeployments.replacesId, old.id)).orderBy(desc(flowDeployments.createdAt)).get();
        const status = next ? await this.deps.marketplace.status(this.ref(next)).catch(() => null) : null;
        if (next && status?.status === "ready") {
          await this.deps.marketplace.close(this.ref(old));
          await this.deps.leaseBilling?.closeDeployment(old.marketDeploymentId);
          this.db.update(flowDeployments).set({ state: "stopped", stoppedAt: new Date() }).where(eq(flowDeployments.id, old.id)).run();
        } else if (!next || !status || status.status === "failed" || status.status === "closed" || next.state === "stopped") {
          // The replacement did not make it: the old deployment carries on, the failed one is set aside.
          this.db.transaction((tx) => {
            tx.update(flowDeployments).set({ state: "active" }).where(eq(flowDeployments.id, old.id)).run();
            if (next && next.state !== "stopped") tx.update(flowDeployments).set({ state: "stopped", stoppedAt: new Date() }).where(eq(flowDeployments.id, next.id)).run();
          });
        }
      }
    })().finally(() => (this.reconciling = null));
    return this.reconciling;
  }
}
