import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMarketplaceFromEnv } from "#server/marketplace/from-env";
import type { DeploymentRef, Marketplace } from "#server/marketplace/marketplace";
import { kubeconfigFor, startFakeKubeApi, type FakeKubeApi } from "./fake-kube-api";
import { deploymentFromFlow, endpointFlow, flowFixture } from "./support";

/**
 * The kubernetes marketplace at its boundary: @kubernetes/client-node 1.3.0, configured from a
 * kubeconfig file named by KUBECONFIG, talks to a fake API server on 127.0.0.1 that records
 * each request. No real cluster runs here (no container engine): these tests show what the
 * adapter sends and how it reads what a cluster answers, nothing about a real scheduler.
 */
const TOKEN = "kube-test-token";
let api: FakeKubeApi;
let market: Marketplace;

beforeAll(async () => {
  api = await startFakeKubeApi(TOKEN);
  const file = join(mkdtempSync(join(tmpdir(), "skyloom-kube-")), "config");
  writeFileSync(file, kubeconfigFor(api.url, TOKEN));
  market = await createMarketplaceFromEnv({ MARKETPLACE: "kubernetes", KUBECONFIG: file, MARKETPLACE_POLL_MS: "50" }, { local: () => { throw new Error("not the local one"); } });
});

afterAll(async () => {
  await api?.close();
});

const since = (n: number) => api.requests.slice(n).map((r) => `${r.method} ${r.path}`);

describe("kubernetes marketplace", () => {
  let ref: DeploymentRef;
  let namespace = "";

  it("creates a namespace for the deployment and server-side-applies the compiled objects into it", async () => {
    const input = deploymentFromFlow(endpointFlow({ gpu: "a100-80g" }));
    const before = api.requests.length;
    const status = await market.createDeployment(input);
    ref = { teamId: "team-a", deploymentId: status.id };
    expect(status.id).toMatch(/^k8s-[0-9a-f]{16}$/);
    namespace = `skyloom-${status.id.slice(4)}`;

    const sent = api.requests.slice(before);
    expect(sent.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const create = sent[0]!;
    expect(`${create.method} ${create.path}`).toBe("POST /api/v1/namespaces");
    const ns = JSON.parse(create.body) as { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> } };
    expect(ns.metadata).toMatchObject({ name: namespace, labels: { "app.kubernetes.io/managed-by": "skyloom", "skyloom.dev/deployment": status.id }, annotations: { "skyloom.dev/team": "team-a", "skyloom.dev/name": input.name } });

    const applied = sent.filter((r) => r.method === "PATCH");
    expect(applied.map((r) => r.path)).toEqual([`/apis/apps/v1/namespaces/${namespace}/deployments/llm`, `/api/v1/namespaces/${namespace}/services/llm`]);
    for (const r of applied) {
      expect(r.contentType).toBe("application/apply-patch+yaml");
      expect(Object.fromEntries(r.query)).toMatchObject({ fieldManager: "skyloom", force: "true" });
    }
    const deployment = JSON.parse(applied[0]!.body) as { metadata: { namespace: string; labels: Record<string, string> }; spec: { template: { spec: { containers: { image: string; resources: { limits: Record<string, unknown> } }[] } } } };
    expect(deployment.metadata).toMatchObject({ namespace, labels: { "skyloom.dev/deployment": status.id, "app.kubernetes.io/name": "llm" } });
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.image).toMatch(/vllm/);
    expect(container.resources.limits["nvidia.com/gpu"]).toBe(1);
    expect(status).toMatchObject({ status: "leased", lease: { services: [{ name: "llm", state: "starting", uri: null }] } });
  });

  it("reads status from the Deployment's conditions and serves from the Service's load balancer", async () => {
    const key = `${namespace}/deployments/llm`;
    api.objects.get(key)!.status = { readyReplicas: 1, conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" }] };
    api.objects.get(`${namespace}/services/llm`)!.status = { loadBalancer: { ingress: [{ ip: "203.0.113.7" }] } };
    const status = await market.status(ref);
    expect(status).toMatchObject({ status: "ready", lease: { services: [{ name: "llm", state: "ready", uri: "http://203.0.113.7:8000/v1" }] } });
    await expect(market.endpoint(ref, { timeoutMs: 1000 })).resolves.toMatchObject({ baseUrl: "http://203.0.113.7:8000/v1", model: "Qwen/Qwen2.5-7B-Instruct" });

    api.objects.get(key)!.status = { conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: 'ReplicaSet "llm-5d" has timed out progressing.' }] };
    expect(await market.status(ref)).toMatchObject({ status: "failed", message: 'llm: ReplicaSet "llm-5d" has timed out progressing.' });
  });

  it("another team's id is not found, and asking sends no write", async () => {
    const before = api.requests.length;
    await expect(market.status({ teamId: "team-b", deploymentId: ref.deploymentId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(market.close({ teamId: "team-b", deploymentId: ref.deploymentId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(market.status({ teamId: "team-a", deploymentId: "../kube-system" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(api.requests.slice(before).every((r) => r.method === "GET")).toBe(true);
  });

  it("logs come from the namespace's pods, timestamps parsed", async () => {
    api.objects.set(`${namespace}/pods/llm-5d-abc`, { apiVersion: "v1", kind: "Pod", metadata: { name: "llm-5d-abc" } });
    api.logs.set(`${namespace}/llm-5d-abc`, "2026-12-01T10:00:00.000Z INFO loading weights\n2026-12-01T10:00:02.000Z INFO serving on :8000\n");
    const lines = await market.logs(ref, { limit: 100 });
    expect(lines).toEqual([
      { at: Date.parse("2026-12-01T10:00:00.000Z"), leaseId: "llm-5d-abc", line: "INFO loading weights" },
      { at: Date.parse("2026-12-01T10:00:02.000Z"), leaseId: "llm-5d-abc", line: "INFO serving on :8000" },
    ]);
    const log = api.requests.findLast((r) => r.path.endsWith("/log"))!;
    expect(Object.fromEntries(log.query)).toMatchObject({ tailLines: "100", timestamps: "true" });
  });

  it("sleep scales every Deployment to zero and wake restores it", async () => {
    const before = api.requests.length;
    expect((await market.sleep(ref)).status).toBe("sleeping");
    expect(api.objects.get(`${namespace}/deployments/llm`)).toMatchObject({ spec: { replicas: 0 } });
    await market.wake(ref);
    expect(api.objects.get(`${namespace}/deployments/llm`)).toMatchObject({ spec: { replicas: 1 } });
    const patches = api.requests.slice(before).filter((r) => r.method === "PATCH");
    expect(patches.map((r) => r.contentType)).toEqual(Array(4).fill("application/merge-patch+json"));
  });

  it("close deletes the namespace (what is in it goes with it) and is idempotent", async () => {
    const before = api.requests.length;
    expect((await market.close(ref)).status).toBe("closed");
    expect(since(before)).toContain(`DELETE /api/v1/namespaces/${namespace}`);
    expect((await market.close(ref)).status).toBe("closed");
  });

  it("refuses objects the compiler never emits before sending anything, and rolls back a half-applied deployment", async () => {
    const input = deploymentFromFlow(endpointFlow({ gpu: "a100-80g" }));
    const before = api.requests.length;
    const hostile = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: own-the-cluster\n`;
    await expect(market.createDeployment({ ...input, kubernetesManifest: hostile })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^Object 1 is a rbac\.authorization\.k8s\.io\/v1\/ClusterRoleBinding; only /) });
    await expect(market.createDeployment({ ...input, kubernetesManifest: undefined })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(api.requests.length).toBe(before);

    api.failNext(/\/services\/llm$/, 422, 'Service "llm" is invalid: spec.ports[0].port: Invalid value');
    await expect(market.createDeployment(input)).rejects.toMatchObject({ message: expect.stringMatching(/^The Kubernetes cluster answered 422: Service "llm" is invalid/) });
    const sent = since(before);
    const created = api.requests.slice(before).find((r) => r.path === "/api/v1/namespaces")!;
    const name = (JSON.parse(created.body) as { metadata: { name: string } }).metadata.name;
    expect(sent.at(-1)).toBe(`DELETE /api/v1/namespaces/${name}`);
  });

  it("offers the cluster's schedulable nodes with their NVIDIA GPUs", async () => {
    api.nodes.push(
      { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-1", labels: { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB", "topology.kubernetes.io/region": "eu-west" } }, status: { allocatable: { "nvidia.com/gpu": "4" } } },
      { apiVersion: "v1", kind: "Node", metadata: { name: "cordoned" }, spec: { unschedulable: true } },
    );
    expect(await market.listOffers()).toMatchObject([{ nodeId: "gpu-1", region: "eu-west", gpus: [{ model: "NVIDIA-A100-SXM4-80GB", count: 4 }] }]);
  });

  it("a container workload is applied as its compiled objects too (the cluster has a container engine)", async () => {
    const input = deploymentFromFlow(flowFixture("container-with-redis"));
    const before = api.requests.length;
    await market.createDeployment(input);
    expect(api.requests.slice(before).filter((r) => r.method === "PATCH").map((r) => r.path.split("/").slice(-2).join("/"))).toEqual([
      "persistentvolumeclaims/agent-api-data",
      "deployments/agent-api",
      "services/agent-api",
      "deployments/cache",
      "services/cache",
    ]);
  });
});
