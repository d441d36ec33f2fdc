import type { WorkSnapshot } from "../protocol";
import { requirementsOf, type DeploymentRow, type OrderRow } from "./store";
import type { PreparedReads } from "./store-prepared";

type OpenOrder = { order: OrderRow; deployment: DeploymentRow; answeredBy: Set<string> };

/**
 * What a node's long poll answers (GET /work): the open orders it may bid on and its live
 * leases. After a change every node asks at once, so the part they share — the open orders,
 * their deployments and who answered — is read once per matchmaker version (every write goes
 * through `Matchmaker.transact`, which moves the version), and only each node's leases are
 * read per node (issue 12).
 */
export class WorkSnapshots {
  private shared: { version: number; orders: OpenOrder[] } | null = null;

  constructor(private readonly reads: PreparedReads) {}

  snapshot(nodeId: string, version: number): WorkSnapshot {
    const orders = this.openOrders(version).flatMap(({ order: o, deployment: d, answeredBy }) =>
      o.excludedNodes.includes(nodeId)
        ? []
        : [{ orderId: o.id, deploymentId: d.id, requirements: requirementsOf(d), maxPriceWeiPerSecond: d.maxPriceWeiPerSecond, manifestHash: d.manifestHash, bidDeadline: o.bidDeadline.getTime(), answered: answeredBy.has(nodeId) }],
    );
    const leases = this.reads.liveLeasesOfNode(nodeId).flatMap((l) => {
      const d = this.reads.deployment(l.deploymentId);
      if (!d || l.state === "closed") return [];
      return [{ leaseId: l.id, orderId: l.orderId, deploymentId: d.id, state: l.state, gpuModel: l.gpuModel, gpuCount: l.gpuCount, requirements: requirementsOf(d), manifestHash: d.manifestHash, manifest: d.manifest, accessToken: l.accessToken }];
    });
    return { version, orders, leases };
  }

  private openOrders(version: number): OpenOrder[] {
    if (this.shared?.version !== version) {
      const orders = this.reads.openOrders().flatMap((order) => {
        const deployment = this.reads.deployment(order.deploymentId);
        return deployment ? [{ order, deployment, answeredBy: this.reads.answeredBy(order.id) }] : [];
      });
      this.shared = { version, orders };
    }
    return this.shared.orders;
  }
}
