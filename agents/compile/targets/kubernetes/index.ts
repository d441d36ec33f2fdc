import { findGpu } from "../../../catalog/gpus";
import { formatMicroSpon } from "../../pricing";
import type { Plan, PlannedWorkload } from "../../plan";
import { sizeString } from "../../sizes";
import { toYaml, type YamlValue } from "../../yaml";
import type { WorkloadEnvVar } from "../../../blocks/workload-spec";
import type { ManifestFile, Target } from "../types";

/**
 * Plain Kubernetes for teams that run their own GPU cluster: per workload a Deployment (a
 * Job for batch work) and a Service for its ports, GPUs as `nvidia.com/gpu` limits and
 * placed by NVIDIA GPU feature discovery's product label.
 */
const NAME_LABEL = "app.kubernetes.io/name";

function labels(plan: Plan, w: PlannedWorkload): Record<string, string> {
  return { [NAME_LABEL]: w.name, "app.kubernetes.io/part-of": plan.name, "app.kubernetes.io/managed-by": "skyloom" };
}

function metadata(plan: Plan, w: PlannedWorkload, name = w.name): YamlValue {
  return {
    name,
    labels: labels(plan, w),
    annotations: {
      "skyloom.dev/node": w.node,
      "skyloom.dev/max-price-spon-per-hour": formatMicroSpon(w.price.bidMicroSponPerHour),
      ...(w.spec.resources.gpu ? { "skyloom.dev/gpu-models": w.spec.resources.gpu.models.join(",") } : {}),
    },
  };
}

function podSpec(w: PlannedWorkload): YamlValue {
  const s = w.spec;
  const r = s.resources;
  const volumes: YamlValue[] = [];
  const mounts: YamlValue[] = [];
  if (r.persistent) {
    volumes.push({ name: "data", persistentVolumeClaim: { claimName: `${w.name}-data` } });
    mounts.push({ name: "data", mountPath: r.persistent.mount });
  }
  if (r.shmGi > 0) {
    volumes.push({ name: "shm", emptyDir: { medium: "Memory", sizeLimit: sizeString(r.shmGi) } });
    mounts.push({ name: "shm", mountPath: "/dev/shm" });
  }
  const requests: Record<string, YamlValue> = {
    cpu: String(r.cpu),
    memory: sizeString(r.memoryGi),
    "ephemeral-storage": sizeString(r.storageGi),
  };
  const limits: Record<string, YamlValue> = { memory: sizeString(r.memoryGi) };
  if (r.gpu) limits["nvidia.com/gpu"] = r.gpu.count;
  const products = r.gpu ? [...new Set(r.gpu.models.map((id) => findGpu(id)?.k8sProduct ?? id))] : [];
  return {
    restartPolicy: s.kind === "job" ? "Never" : undefined,
    affinity:
      products.length > 0
        ? {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: "nvidia.com/gpu.product", operator: "In", values: products }] }],
              },
            },
          }
        : undefined,
    tolerations: r.gpu ? [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }] : undefined,
    containers: [
      {
        name: w.name,
        image: s.image,
        imagePullPolicy: "IfNotPresent",
        command: s.command.length > 0 ? s.command : undefined,
        args: s.args.length > 0 ? s.args : undefined,
        env: s.env.length > 0 ? s.env.map((e) => envVar(w, e)) : undefined,
        ports:
          s.ports.length > 0
            ? s.ports.map((p) => ({ name: portName(p.port, p.proto), containerPort: p.port, protocol: p.proto.toUpperCase() }))
            : undefined,
        resources: { requests, limits },
        // Model servers answer their health path only once the weights are loaded.
        readinessProbe: s.readiness
          ? { httpGet: { path: s.readiness.httpPath, port: s.readiness.port }, periodSeconds: 10, failureThreshold: 3 }
          : undefined,
        startupProbe:
          s.readiness && s.serves
            ? { httpGet: { path: s.readiness.httpPath, port: s.readiness.port }, periodSeconds: 10, failureThreshold: 180 }
            : undefined,
        volumeMounts: mounts.length > 0 ? mounts : undefined,
      },
    ],
    volumes: volumes.length > 0 ? volumes : undefined,
  };
}

const portName = (port: number, proto: string) => `${proto}-${port}`;

/** The Secret holding a workload's credential-backed variables. */
const secretName = (w: PlannedWorkload) => `${w.name}-env`;

/** A credential-backed variable is read from the workload's Secret, never written inline. */
function envVar(w: PlannedWorkload, e: WorkloadEnvVar): YamlValue {
  if (!e.credentialId) return { name: e.name, value: e.value };
  return { name: e.name, valueFrom: { secretKeyRef: { name: secretName(w), key: e.name } } };
}

function documents(plan: Plan, w: PlannedWorkload): YamlValue[] {
  const docs: YamlValue[] = [];
  const selector = { [NAME_LABEL]: w.name };
  const secretEnv = w.spec.env.filter((e) => e.credentialId);
  if (secretEnv.length > 0) {
    // Shown and downloaded, the values are placeholders; dispatch puts the real ones in.
    docs.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: metadata(plan, w, secretName(w)),
      type: "Opaque",
      stringData: Object.fromEntries(secretEnv.map((e) => [e.name, e.value])),
    });
  }
  if (w.spec.resources.persistent) {
    docs.push({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: metadata(plan, w, `${w.name}-data`),
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: sizeString(w.spec.resources.persistent.sizeGi) } } },
    });
  }
  if (w.spec.kind === "job") {
    docs.push({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: metadata(plan, w),
      spec: {
        backoffLimit: 2,
        // The lease length bounds a job on the marketplace; the same bound applies here.
        activeDeadlineSeconds: w.spec.durationHours * 3600,
        template: { metadata: { labels: labels(plan, w) }, spec: podSpec(w) },
      },
    });
  } else {
    docs.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: metadata(plan, w),
      spec: {
        replicas: w.spec.replicas,
        selector: { matchLabels: selector },
        template: { metadata: { labels: labels(plan, w) }, spec: podSpec(w) },
      },
    });
  }
  if (w.spec.ports.length > 0) {
    const isPublic = w.spec.ports.some((p) => p.public);
    docs.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(plan, w),
      spec: {
        type: isPublic ? "LoadBalancer" : "ClusterIP",
        selector,
        ports: w.spec.ports.map((p) => ({ name: portName(p.port, p.proto), port: p.port, targetPort: p.port, protocol: p.proto.toUpperCase() })),
      },
    });
  }
  return docs;
}

export const kubernetesTarget: Target = {
  id: "kubernetes",
  title: "Kubernetes",
  emit(plan, options): ManifestFile[] {
    const docs = plan.workloads.flatMap((w) => documents(plan, w));
    const header = `Kubernetes manifests, generated by Skyloom${options.source ? ` from ${options.source}` : ""}. Apply with kubectl apply -f.`;
    const content = docs.map((d, i) => toYaml(d, i === 0 ? [header] : [])).join("---\n");
    return [{ fileName: "kubernetes.yaml", content }];
  },
};
