import { randomBytes } from "node:crypto";
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type V1Deployment,
  type V1Namespace,
  type V1Node,
} from "@kubernetes/client-node";
import {
  MarketplaceError,
  type CreateDeploymentInput,
  type DeploymentManifest,
  type DeploymentRef,
  type DeploymentStatus,
  type LeaseEvent,
  type LogLine,
  type Marketplace,
  type MarketNode,
  type Offer,
  type ServingEndpoint,
} from "../marketplace";
import { pause, polledEvents } from "../polled-events";
import { manifestHash, serializeManifest } from "../rules";
import { DEPLOYMENT_LABEL, MANAGED_BY, namespaceOf, objectsToApply, servicesStatus, TEAM_ANNOTATION } from "./manifests";

/**
 * The Kubernetes marketplace (ADR 029): a team's own cluster instead of bidding nodes. Each
 * deployment is a namespace holding the compiler's kubernetes manifests, applied with
 * server-side apply; the cluster is the only store (the tenant, name and manifest ride on the
 * namespace's annotations), so a host restart loses nothing. Status comes from each
 * Deployment's conditions, logs from its pods, close deletes the namespace. There is no bid:
 * the cluster's scheduler places the pods, and restarts them, so there is no failover to order.
 */
export type KubernetesMarketplaceOptions = {
  kubeConfig: KubeConfig;
  /** How often `events()` and `endpoint()` look at the cluster again. */
  pollMs?: number;
  fieldManager?: string;
};

const ANNOTATIONS = {
  name: "skyloom.dev/name",
  manifest: "skyloom.dev/manifest",
  hash: "skyloom.dev/manifest-hash",
  maxPrice: "skyloom.dev/max-price-wei-per-second",
  duration: "skyloom.dev/duration-seconds",
  sleeping: "skyloom.dev/sleeping-replicas",
} as const;

export class KubernetesMarketplace implements Marketplace {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly pollMs: number;
  private readonly fieldManager: string;

  constructor(options: KubernetesMarketplaceOptions) {
    this.objects = KubernetesObjectApi.makeApiClient(options.kubeConfig);
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.pollMs = options.pollMs ?? 2000;
    this.fieldManager = options.fieldManager ?? "skyloom";
  }

  /** The cluster's nodes with their NVIDIA GPUs (GPU feature discovery's product label). */
  async listOffers(): Promise<Offer[]> {
    const nodes = await cluster(() => this.core.listNode({}));
    return nodes.items.filter((n) => !n.spec?.unschedulable).map(offerOf);
  }

  async listNodes(): Promise<MarketNode[]> {
    const nodes = await cluster(() => this.core.listNode({}));
    return nodes.items.map(nodeOf);
  }

  async createDeployment(input: CreateDeploymentInput): Promise<DeploymentStatus> {
    if (!input.kubernetesManifest) throw new MarketplaceError("BAD_REQUEST", "Compile the flow with the kubernetes target to deploy it to a Kubernetes cluster.");
    const deploymentId = `k8s-${randomBytes(8).toString("hex")}`;
    const namespace = namespaceOf(deploymentId) as string;
    const objects = objectsToApply(input.kubernetesManifest, deploymentId, namespace);
    const manifest = serializeManifest(input.manifest);
    const body: V1Namespace = {
      metadata: {
        name: namespace,
        labels: { ...MANAGED_BY, [DEPLOYMENT_LABEL]: deploymentId },
        annotations: {
          [TEAM_ANNOTATION]: input.teamId,
          [ANNOTATIONS.name]: input.name.slice(0, 200),
          [ANNOTATIONS.manifest]: manifest,
          [ANNOTATIONS.hash]: manifestHash(manifest),
          [ANNOTATIONS.maxPrice]: input.budget.maxPriceWeiPerSecond.toString(),
          [ANNOTATIONS.duration]: String(input.budget.durationSeconds),
        },
      },
    };
    await cluster(() => this.core.createNamespace({ body }));
    try {
      for (const object of objects) {
        await cluster(() => this.objects.patch(object, undefined, undefined, this.fieldManager, true, PatchStrategy.ServerSideApply));
      }
    } catch (error) {
      // No half-applied deployment: the namespace and whatever got into it go.
      await cluster(() => this.core.deleteNamespace({ name: namespace })).catch(() => undefined);
      throw error;
    }
    return this.status({ teamId: input.teamId, deploymentId });
  }

  /** The deployment's namespace, if it exists and belongs to the team. */
  private async owned(ref: DeploymentRef): Promise<V1Namespace> {
    const name = namespaceOf(ref.deploymentId);
    const found = name ? await cluster(() => this.core.readNamespace({ name }), { notFound: null }) : null;
    if (!found || found.metadata?.annotations?.[TEAM_ANNOTATION] !== ref.teamId) throw new MarketplaceError("NOT_FOUND", "No such deployment in this team.");
    return found;
  }

  async status(ref: DeploymentRef): Promise<DeploymentStatus> {
    return this.statusOf(ref, await this.owned(ref));
  }

  private async statusOf(ref: DeploymentRef, ns: V1Namespace): Promise<DeploymentStatus> {
    const namespace = ns.metadata?.name as string;
    const notes = ns.metadata?.annotations ?? {};
    const manifest = JSON.parse(notes[ANNOTATIONS.manifest] ?? "{}") as DeploymentManifest;
    const createdAt = ns.metadata?.creationTimestamp ? new Date(ns.metadata.creationTimestamp).getTime() : 0;
    const base = {
      id: ref.deploymentId,
      teamId: ref.teamId,
      name: notes[ANNOTATIONS.name] ?? namespace,
      manifestHash: notes[ANNOTATIONS.hash] ?? "",
      maxPriceWeiPerSecond: BigInt(notes[ANNOTATIONS.maxPrice] ?? "0"),
      durationSeconds: Number(notes[ANNOTATIONS.duration] ?? 0),
      createdAt,
      endsAt: null,
      order: null,
      node: { id: "kubernetes", kind: "provider" as const, name: "Kubernetes cluster", region: "cluster", tier: "secured1" as const },
    };
    if (ns.status?.phase === "Terminating") return { ...base, status: "closed", message: "Stopped: the namespace is being deleted.", lease: null };
    const [deployments, services] = await Promise.all([
      cluster(() => this.apps.listNamespacedDeployment({ namespace })),
      cluster(() => this.core.listNamespacedService({ namespace })),
    ]);
    const serviceStates = servicesStatus(manifest.services ?? [], deployments.items, services.items, namespace);
    const sleeping = notes[ANNOTATIONS.sleeping] !== undefined;
    const status = sleeping ? "sleeping" : serviceStates.some((s) => s.state === "failed") ? "failed" : serviceStates.every((s) => s.state === "ready") ? "ready" : "leased";
    const failed = serviceStates.find((s) => s.state === "failed");
    return {
      ...base,
      status,
      message: failed ? `${failed.name}: ${failed.message}` : sleeping ? "Asleep: scaled to zero replicas." : null,
      lease: {
        id: namespace,
        deploymentId: ref.deploymentId,
        orderId: namespace,
        nodeId: "kubernetes",
        priceWeiPerSecond: 0n,
        gpuModel: null,
        gpuCount: 0,
        state: "active",
        createdAt,
        services: serviceStates,
        metrics: null,
        closedAt: null,
        closeReason: null,
      },
    };
  }

  async *events(ref: DeploymentRef, options: { after?: number; signal?: AbortSignal } = {}): AsyncIterable<LeaseEvent> {
    yield* polledEvents(ref.deploymentId, () => this.status(ref), { ...options, pollMs: this.pollMs });
  }

  async logs(ref: DeploymentRef, options: { limit?: number } = {}): Promise<LogLine[]> {
    const namespace = (await this.owned(ref)).metadata?.name as string;
    const limit = Math.min(Math.max(options.limit ?? 500, 1), 5000);
    const pods = await cluster(() => this.core.listNamespacedPod({ namespace }));
    const lines: LogLine[] = [];
    for (const pod of pods.items) {
      const name = pod.metadata?.name as string;
      const text = await cluster(() => this.core.readNamespacedPodLog({ name, namespace, tailLines: limit, timestamps: true }), { notFound: "" });
      for (const raw of text.split("\n")) {
        if (!raw) continue;
        // --timestamps puts an RFC 3339 time first.
        const space = raw.indexOf(" ");
        const at = Date.parse(raw.slice(0, space));
        lines.push({ at: Number.isNaN(at) ? 0 : at, leaseId: name, line: Number.isNaN(at) ? raw : raw.slice(space + 1) });
      }
    }
    return lines.sort((a, b) => a.at - b.at).slice(-limit);
  }

  async endpoint(ref: DeploymentRef, options: { model?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ServingEndpoint> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const ns = await this.owned(ref);
      const status = await this.statusOf(ref, ns);
      if (status.status === "sleeping") await this.wake(ref);
      if (status.status === "closed") throw new MarketplaceError("UNAVAILABLE", status.message ?? "The deployment is closed.");
      const manifest = JSON.parse(ns.metadata?.annotations?.[ANNOTATIONS.manifest] ?? "{}") as DeploymentManifest;
      for (const s of status.lease?.services ?? []) {
        const served = manifest.services.find((m) => m.name === s.name)?.serves;
        if (s.state !== "ready" || !s.uri || !served || (options.model !== undefined && served.servedName !== options.model)) continue;
        return { baseUrl: s.uri, apiKey: "", model: served.servedName, leaseId: status.lease?.id ?? "", nodeId: "kubernetes" };
      }
      if (Date.now() >= deadline || options.signal?.aborted) throw new MarketplaceError("TIMEOUT", "The endpoint is not serving yet (its pods are starting); try again shortly.");
      await pause(Math.min(this.pollMs, Math.max(0, deadline - Date.now())), options.signal);
    }
  }

  /** The cluster restarts and reschedules pods itself; there is no lease to order again. */
  async reportUnreachable(ref: DeploymentRef): Promise<{ reordered: boolean }> {
    await this.owned(ref);
    return { reordered: false };
  }

  /** Scale to zero: every Deployment to 0 replicas, remembering how many it had. */
  async sleep(ref: DeploymentRef): Promise<DeploymentStatus> {
    const ns = await this.owned(ref);
    const namespace = ns.metadata?.name as string;
    if (ns.metadata?.annotations?.[ANNOTATIONS.sleeping] === undefined) {
      const deployments = await cluster(() => this.apps.listNamespacedDeployment({ namespace }));
      const replicas = Object.fromEntries(deployments.items.map((d: V1Deployment) => [d.metadata?.name as string, d.spec?.replicas ?? 1]));
      await this.annotate(namespace, { [ANNOTATIONS.sleeping]: JSON.stringify(replicas) });
      for (const name of Object.keys(replicas)) await this.scale(namespace, name, 0);
    }
    return this.status(ref);
  }

  async wake(ref: DeploymentRef): Promise<DeploymentStatus> {
    const ns = await this.owned(ref);
    const namespace = ns.metadata?.name as string;
    const saved = ns.metadata?.annotations?.[ANNOTATIONS.sleeping];
    if (saved !== undefined) {
      for (const [name, replicas] of Object.entries(JSON.parse(saved) as Record<string, number>)) await this.scale(namespace, name, replicas);
      await this.annotate(namespace, { [ANNOTATIONS.sleeping]: null });
    }
    return this.status(ref);
  }

  private scale(namespace: string, name: string, replicas: number) {
    const object = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace }, spec: { replicas } };
    return cluster(() => this.objects.patch(object, undefined, undefined, this.fieldManager, undefined, PatchStrategy.MergePatch));
  }

  private annotate(namespace: string, annotations: Record<string, string | null>) {
    const object = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, annotations } };
    return cluster(() => this.objects.patch(object as never, undefined, undefined, this.fieldManager, undefined, PatchStrategy.MergePatch));
  }

  /** Close = delete the namespace (the cluster deletes what is in it). Idempotent. */
  async close(ref: DeploymentRef): Promise<DeploymentStatus> {
    const ns = await this.owned(ref);
    await cluster(() => this.core.deleteNamespace({ name: ns.metadata?.name as string }), { notFound: null });
    return this.statusOf(ref, { ...ns, status: { phase: "Terminating" } });
  }
}

/** A cluster node as the marketplace describes nodes: its NVIDIA GPUs and allocatable resources. */
function nodeOf(node: V1Node): MarketNode {
  const labels = node.metadata?.labels ?? {};
  const allocatable = node.status?.allocatable ?? {};
  const count = Number(allocatable["nvidia.com/gpu"] ?? 0);
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  return {
    id: node.metadata?.name ?? "",
    kind: "provider",
    name: node.metadata?.name ?? "",
    region: labels["topology.kubernetes.io/region"] ?? "cluster",
    tier: "secured1",
    inventory: {
      gpus: count > 0 ? [{ model: labels["nvidia.com/gpu.product"] ?? "nvidia", count }] : [],
      cpu: quantity(allocatable.cpu),
      memoryGi: quantity(allocatable.memory) / 2 ** 30,
      storageGi: quantity(allocatable["ephemeral-storage"]) / 2 ** 30,
    },
    capabilities: { modelServing: null, containers: true },
    status: ready?.status === "False" || ready?.status === "Unknown" ? "down" : "up",
    lastHeartbeatAt: ready?.lastHeartbeatTime ? new Date(ready.lastHeartbeatTime).getTime() : 0,
  };
}

function offerOf(node: V1Node): Offer {
  const n = nodeOf(node);
  return { nodeId: n.id, kind: n.kind, name: n.name, region: n.region, tier: n.tier, gpus: n.inventory.gpus, freeGpus: n.inventory.gpus, backend: "the cluster's own container runtime", cpu: n.inventory.cpu, memoryGi: n.inventory.memoryGi, storageGi: n.inventory.storageGi, capabilities: n.capabilities };
}

const SUFFIX: Record<string, number> = { m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes quantity ("7500m", "32Gi", "16384Ki") as a number. */
export function quantity(text: string | undefined): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(text ?? "");
  return match ? Number(match[1]) * (SUFFIX[match[2] ?? ""] ?? 1) : 0;
}

/** Calls the cluster; its errors become MarketplaceErrors that say what the cluster said. */
async function cluster<T, F = never>(call: () => Promise<T>, options: { notFound?: F } = {}): Promise<T | F> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiException) {
      if (error.code === 404 && "notFound" in options) return options.notFound as F;
      const message = statusMessage(error.body).slice(0, 300);
      const code = error.code === 404 ? "NOT_FOUND" : error.code === 409 ? "CONFLICT" : error.code === 401 || error.code === 403 ? "UNAUTHORIZED" : error.code === 422 || error.code === 400 ? "BAD_REQUEST" : "UNAVAILABLE";
      throw new MarketplaceError(code, `The Kubernetes cluster answered ${error.code}: ${message}`);
    }
    throw new MarketplaceError("UNAVAILABLE", `The Kubernetes cluster could not be reached: ${(error as Error).message}`);
  }
}

/** The `message` of the Status object a cluster answers with (client-node hands it over as text). */
function statusMessage(body: unknown): string {
  if (typeof body === "object" && body !== null) return String((body as { message?: unknown }).message ?? "");
  try {
    return String((JSON.parse(String(body)) as { message?: unknown }).message ?? body);
  } catch {
    return String(body ?? "");
  }
}
