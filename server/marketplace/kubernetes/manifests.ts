import { loadAllYaml, type KubernetesObject, type V1Deployment, type V1Service } from "@kubernetes/client-node";
import { MarketplaceError, type LeaseServiceState, type LeaseServiceStatus, type ManifestService } from "../marketplace";

/**
 * Pure rules of the Kubernetes marketplace (ADR 029): which compiled objects may be applied,
 * where a deployment lives (one namespace per deployment, so names never collide and close is
 * one delete), and how a Deployment's conditions become a service state.
 */

/** The kinds the compiler's kubernetes target emits; anything else is refused, not applied. */
export const APPLIED_KINDS = new Set(["v1/Secret", "v1/PersistentVolumeClaim", "apps/v1/Deployment", "batch/v1/Job", "v1/Service"]);
const MAX_MANIFEST_BYTES = 256 * 1024;
const MAX_OBJECTS = 64;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "skyloom" } as const;
export const DEPLOYMENT_LABEL = "skyloom.dev/deployment";
export const TEAM_ANNOTATION = "skyloom.dev/team";

/** The namespace of a deployment id (`k8s-<hex>` ↔ `skyloom-<hex>`); null for a foreign id. */
export function namespaceOf(deploymentId: string): string | null {
  const hex = /^k8s-([0-9a-f]{16})$/.exec(deploymentId)?.[1];
  return hex ? `skyloom-${hex}` : null;
}

export function deploymentIdOf(namespace: string): string | null {
  const hex = /^skyloom-([0-9a-f]{16})$/.exec(namespace)?.[1];
  return hex ? `k8s-${hex}` : null;
}

/**
 * The compiled manifest's objects, checked: known kinds only, DNS names, no namespace of
 * their own (they go into the deployment's), and labelled with the deployment.
 */
export function objectsToApply(yaml: string, deploymentId: string, namespace: string): KubernetesObject[] {
  if (Buffer.byteLength(yaml) > MAX_MANIFEST_BYTES) throw new MarketplaceError("BAD_REQUEST", `The Kubernetes manifest is over ${MAX_MANIFEST_BYTES / 1024} KB.`);
  let docs: unknown[];
  try {
    docs = loadAllYaml(yaml).filter((d) => d !== null && d !== undefined);
  } catch (error) {
    throw new MarketplaceError("BAD_REQUEST", `The Kubernetes manifest is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (docs.length === 0) throw new MarketplaceError("BAD_REQUEST", "The Kubernetes manifest has no objects; compile the flow with the kubernetes target.");
  if (docs.length > MAX_OBJECTS) throw new MarketplaceError("BAD_REQUEST", `The Kubernetes manifest has ${docs.length} objects; at most ${MAX_OBJECTS}.`);
  return docs.map((doc, index) => {
    const o = doc as KubernetesObject;
    const kind = `${o?.apiVersion}/${o?.kind}`;
    if (!APPLIED_KINDS.has(kind)) throw new MarketplaceError("BAD_REQUEST", `Object ${index + 1} is a ${kind}; only ${[...APPLIED_KINDS].join(", ")} are applied.`);
    const name = o.metadata?.name ?? "";
    if (!DNS_LABEL.test(name) || name.length > 63) throw new MarketplaceError("BAD_REQUEST", `Object ${index + 1} (${o.kind}) has no valid name: "${name}".`);
    return { ...o, metadata: { ...o.metadata, namespace, labels: { ...o.metadata?.labels, ...MANAGED_BY, [DEPLOYMENT_LABEL]: deploymentId } } };
  });
}

type Condition = { type: string; status: string; reason?: string; message?: string };

/** A Deployment's state from its conditions (Available, Progressing) and ready replicas. */
export function serviceStateOf(deployment: V1Deployment): { state: LeaseServiceState; message: string | null } {
  const conditions = (deployment.status?.conditions ?? []) as Condition[];
  const progressing = conditions.find((c) => c.type === "Progressing");
  const available = conditions.find((c) => c.type === "Available");
  const failure = conditions.find((c) => c.type === "ReplicaFailure" && c.status === "True");
  if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") return { state: "failed", message: progressing.message ?? "ProgressDeadlineExceeded" };
  if (failure) return { state: "failed", message: failure.message ?? failure.reason ?? "ReplicaFailure" };
  const wanted = deployment.spec?.replicas ?? 1;
  if (available?.status === "True" && (deployment.status?.readyReplicas ?? 0) >= wanted) return { state: "ready", message: null };
  if (available?.status === "False" && (deployment.status?.readyReplicas ?? 0) > 0) return { state: "unhealthy", message: available.message ?? null };
  return { state: "starting", message: progressing?.message ?? null };
}

/**
 * Where a model service is reached: the LoadBalancer's address when the cluster gave one,
 * else the in-cluster DNS name (enough for a host running in the cluster).
 */
export function serviceUri(service: V1Service | undefined, namespace: string, port: number | null): string | null {
  if (!service?.metadata?.name || port === null) return null;
  const ingress = service.status?.loadBalancer?.ingress?.[0];
  const host = ingress?.ip ?? ingress?.hostname ?? `${service.metadata.name}.${namespace}.svc.cluster.local`;
  return `http://${host}:${port}/v1`;
}

/** Each manifest service's status, from its Deployment and Service in the namespace. */
export function servicesStatus(services: ManifestService[], deployments: V1Deployment[], kubeServices: V1Service[], namespace: string): LeaseServiceStatus[] {
  return services.map((s) => {
    const deployment = deployments.find((d) => d.metadata?.name === s.name);
    if (!deployment) return { name: s.name, state: "starting", uri: null, message: "no Deployment (yet) for this service" };
    const { state, message } = serviceStateOf(deployment);
    const port = s.ports.find((p) => p.http)?.port ?? s.ports[0]?.port ?? null;
    const uri = state === "ready" && s.serves ? serviceUri(kubeServices.find((k) => k.metadata?.name === s.name), namespace, port) : null;
    return { name: s.name, state, uri, message };
  });
}
