import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for a Kubernetes API server on 127.0.0.1, speaking the REST shapes
 * @kubernetes/client-node sends and reads (discovery, namespaces, server-side apply, lists,
 * pod logs, Status errors). It records every request so a test can assert what the client
 * really sent: method, path, query, content type, credentials and body. Objects are kept as
 * applied; a test sets their `status` the way the cluster's controllers would.
 */
export type RecordedRequest = { method: string; path: string; query: URLSearchParams; contentType: string; authorization: string; body: string };

const RESOURCES: Record<string, { kind: string; name: string; namespaced: boolean }[]> = {
  "/api/v1": [
    { kind: "Namespace", name: "namespaces", namespaced: false },
    { kind: "Node", name: "nodes", namespaced: false },
    { kind: "Secret", name: "secrets", namespaced: true },
    { kind: "Service", name: "services", namespaced: true },
    { kind: "Pod", name: "pods", namespaced: true },
    { kind: "PersistentVolumeClaim", name: "persistentvolumeclaims", namespaced: true },
  ],
  "/apis/apps/v1": [{ kind: "Deployment", name: "deployments", namespaced: true }],
  "/apis/batch/v1": [{ kind: "Job", name: "jobs", namespaced: true }],
};

type Obj = { apiVersion?: string; kind?: string; metadata: Record<string, unknown> & { name: string; annotations?: Record<string, string> }; status?: unknown; [k: string]: unknown };

export type FakeKubeApi = {
  url: string;
  requests: RecordedRequest[];
  namespaces: Map<string, Obj>;
  /** Applied objects by "namespace/resource/name". */
  objects: Map<string, Obj>;
  nodes: Obj[];
  logs: Map<string, string>;
  /** The next request whose path matches answers with this Status error. */
  failNext(path: RegExp, code: number, message: string): void;
  close(): Promise<void>;
};

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** JSON merge patch (RFC 7386): null deletes. */
function merge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === "object" && !Array.isArray(v) && typeof out[k] === "object" && out[k] !== null) out[k] = merge(out[k] as Record<string, unknown>, v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

export async function startFakeKubeApi(token: string): Promise<FakeKubeApi> {
  const requests: RecordedRequest[] = [];
  const namespaces = new Map<string, Obj>();
  const objects = new Map<string, Obj>();
  const logs = new Map<string, string>();
  const nodes: Obj[] = [];
  const failures: { path: RegExp; code: number; message: string }[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", "http://x");
    const record: RecordedRequest = { method: req.method ?? "", path: url.pathname, query: url.searchParams, contentType: String(req.headers["content-type"] ?? ""), authorization: String(req.headers.authorization ?? ""), body: Buffer.concat(chunks).toString() };
    requests.push(record);
    if (record.authorization !== `Bearer ${token}`) return status(res, 401, "Unauthorized", "Unauthorized");
    const failure = failures.findIndex((f) => f.path.test(url.pathname));
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      return status(res, f!.code, "Invalid", f!.message);
    }
    const path = url.pathname;
    const discovery = RESOURCES[path];
    if (discovery && req.method === "GET") {
      return json(res, 200, { kind: "APIResourceList", apiVersion: "v1", groupVersion: path.replace(/^\/apis?\//, ""), resources: discovery.map((r) => ({ ...r, singularName: "", verbs: ["create", "delete", "get", "list", "patch"] })) });
    }
    if (path === "/api/v1/nodes") return json(res, 200, { kind: "NodeList", apiVersion: "v1", metadata: {}, items: nodes });
    if (path === "/api/v1/namespaces" && req.method === "POST") {
      const ns = JSON.parse(record.body) as Obj;
      if (namespaces.has(ns.metadata.name)) return status(res, 409, "AlreadyExists", `namespaces "${ns.metadata.name}" already exists`);
      const created = { ...ns, apiVersion: "v1", kind: "Namespace", metadata: { ...ns.metadata, creationTimestamp: new Date().toISOString(), uid: "u" }, status: { phase: "Active" } };
      namespaces.set(ns.metadata.name, created);
      return json(res, 201, created);
    }
    const nsMatch = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
    if (nsMatch) {
      const ns = namespaces.get(nsMatch[1]!);
      if (!ns) return status(res, 404, "NotFound", `namespaces "${nsMatch[1]}" not found`);
      if (req.method === "GET") return json(res, 200, ns);
      if (req.method === "DELETE") {
        ns.status = { phase: "Terminating" };
        return json(res, 200, ns);
      }
      if (req.method === "PATCH") {
        const merged = merge(ns as never, JSON.parse(record.body) as Record<string, unknown>) as Obj;
        namespaces.set(nsMatch[1]!, merged);
        return json(res, 200, merged);
      }
    }
    const logMatch = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(path);
    if (logMatch) {
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end(logs.get(`${logMatch[1]}/${logMatch[2]}`) ?? "");
    }
    const objMatch = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (objMatch) {
      const [, ns, resource, name] = objMatch as unknown as [string, string, string, string | undefined];
      if (!namespaces.has(ns)) return status(res, 404, "NotFound", `namespaces "${ns}" not found`);
      if (!name && req.method === "GET") {
        const items = [...objects.entries()].filter(([k]) => k.startsWith(`${ns}/${resource}/`)).map(([, o]) => o);
        return json(res, 200, { kind: "List", apiVersion: "v1", metadata: {}, items });
      }
      const key = `${ns}/${resource}/${name}`;
      if (req.method === "PATCH") {
        const body = JSON.parse(record.body) as Obj;
        const previous = objects.get(key);
        const next = record.contentType.startsWith("application/apply-patch") ? { ...body, status: previous?.status ?? {} } : (merge((previous ?? body) as never, body as never) as Obj);
        objects.set(key, next);
        return json(res, 200, next);
      }
    }
    status(res, 404, "NotFound", `the fake API server has no route for ${req.method} ${path}`);
  }

  const server = createServer((req, res) => void handle(req, res).catch((error: Error) => status(res, 500, "InternalError", error.message)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    namespaces,
    objects,
    nodes,
    logs,
    failNext: (path, code, message) => void failures.push({ path, code, message }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A kubeconfig whose one context points at the fake API server with a bearer token. The fake
 * speaks plain HTTP, which client-node 1.3.0 allows only with insecure-skip-tls-verify.
 */
export function kubeconfigFor(url: string, token: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "fake", cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: "tester", user: { token } }],
    contexts: [{ name: "fake", context: { cluster: "fake", user: "tester" } }],
    "current-context": "fake",
  });
}
