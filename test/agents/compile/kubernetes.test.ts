import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { compileCorpus } from "./support/corpus";

type K8s = { apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string> }; spec: Record<string, unknown> };
type Container = {
  name: string;
  image: string;
  ports?: { containerPort: number; protocol: string }[];
  resources: { requests: Record<string, unknown>; limits: Record<string, unknown> };
  readinessProbe?: { httpGet: { path: string; port: number } };
};
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; restartPolicy?: string } };

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const corpus = compileCorpus();

describe("kubernetes target", () => {
  const all = corpus.map(({ name, result }) => {
    const text = result.manifests.kubernetes?.[0]?.content ?? "";
    const docs = parseAllDocuments(text);
    for (const d of docs) if (d.errors.length > 0) throw new Error(`${name}: ${d.errors[0]?.message}`);
    return { name, result, docs: docs.map((d) => d.toJS() as K8s) };
  });

  it("every manifest parses and every object has apiVersion, kind and a DNS-label name", () => {
    for (const { name, docs } of all) {
      expect(docs.length, name).toBeGreaterThan(0);
      for (const d of docs) {
        expect(["apps/v1", "batch/v1", "v1"]).toContain(d.apiVersion);
        expect(["Deployment", "Job", "Service", "PersistentVolumeClaim"]).toContain(d.kind);
        expect(d.metadata.name).toMatch(DNS_LABEL);
      }
    }
  });

  it("has a Deployment (or Job) per workload and a Service per workload with ports, selecting its pods", () => {
    for (const { name, result, docs } of all) {
      for (const w of result.plan?.workloads ?? []) {
        const workload = docs.find((d) => d.metadata.name === w.name && d.kind === (w.spec.kind === "job" ? "Job" : "Deployment"));
        expect(workload?.metadata.name, `${name}/${w.name}`).toBe(w.name);
        const template = workload?.spec.template as PodTemplate;
        const container = template.spec.containers[0] as Container;
        expect(container.image).toBe(w.spec.image);
        expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.stringMatching(/^[0-9]+(Mi|Gi)$/) });
        if (w.spec.kind === "job") expect(template.spec.restartPolicy).toBe("Never");
        else {
          expect(workload?.spec.replicas).toBe(w.spec.replicas);
          expect(workload?.spec.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": w.name } });
          expect(template.metadata.labels["app.kubernetes.io/name"]).toBe(w.name);
        }
        const service = docs.find((d) => d.kind === "Service" && d.metadata.name === w.name);
        if (w.spec.ports.length === 0) expect(service).toBeUndefined();
        else {
          expect(service?.spec.selector).toEqual({ "app.kubernetes.io/name": w.name });
          expect((service?.spec.ports as { port: number }[]).map((p) => p.port)).toEqual(w.spec.ports.map((p) => p.port));
          expect(service?.spec.type).toBe(w.spec.ports.some((p) => p.public) ? "LoadBalancer" : "ClusterIP");
        }
      }
    }
  });

  it("limits GPUs with nvidia.com/gpu and probes model servers on their health path", () => {
    let gpuWorkloads = 0;
    for (const { result, docs } of all) {
      for (const w of result.plan?.workloads ?? []) {
        const workload = docs.find((d) => d.metadata.name === w.name && (d.kind === "Deployment" || d.kind === "Job"));
        const container = (workload?.spec.template as PodTemplate).spec.containers[0] as Container;
        if (w.spec.resources.gpu) {
          gpuWorkloads++;
          expect(container.resources.limits["nvidia.com/gpu"]).toBe(w.spec.resources.gpu.count);
        } else expect(container.resources.limits["nvidia.com/gpu"]).toBeUndefined();
        if (w.spec.serves) {
          const path = w.spec.serves.runtime === "ollama" ? "/api/version" : "/health";
          expect(container.readinessProbe?.httpGet).toEqual({ path, port: w.spec.serves.port });
        }
      }
    }
    expect(gpuWorkloads).toBeGreaterThanOrEqual(5);
  });

  it("claims a volume for a persistent mount", () => {
    const redis = all.find((a) => a.name === "container-with-redis");
    expect(redis?.docs.find((d) => d.kind === "PersistentVolumeClaim")?.metadata.name).toBe("agent-api-data");
  });
});
