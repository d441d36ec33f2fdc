import dns from "node:dns";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FetchRequest } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "#server/env";
import { KubernetesMarketplace } from "#server/marketplace/kubernetes/kubernetes-marketplace";
import { LocalMarketplace } from "#server/marketplace/local/local-marketplace";
import { SpheronMarketplace } from "#server/marketplace/spheron/spheron-marketplace";
import { createTestBackend, type TestBackend } from "../../support/harness";
import { outcomeOf } from "../../support/trpc-errors";
import { kubeconfigFor, startFakeKubeApi, type FakeKubeApi } from "./fake-kube-api";

/**
 * MARKETPLACE picks where deployments and endpoints run: read and checked with the rest of the
 * configuration (a wrong or missing variable stops the start, naming it), then built by the
 * composition root, which starts the embedded matchmaker and nodes only for `local`. The
 * kubernetes and spheron backends are checked at their boundaries, as their own tests do: a
 * fake API server on 127.0.0.1, and the Spheron SDK with DNS and its RPC transport held here.
 */
const KEY = `0x${"22".repeat(32)}`;
const home = mkdtempSync(join(tmpdir(), "skyloom-home-"));
const kubeconfig = join(home, "kubeconfig");

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("MARKETPLACE in the configuration", () => {
  beforeAll(() => writeFileSync(kubeconfig, kubeconfigFor("http://127.0.0.1:1", "t")));

  it("is local by default, so `npm start` needs nothing", () => {
    expect(loadConfig({ HOME: home }).marketplace).toEqual({ kind: "local" });
    expect(loadConfig({ HOME: home, MARKETPLACE: "local" }).marketplace).toEqual({ kind: "local" });
  });

  it("kubernetes takes the kubeconfig KUBECONFIG names, a context and the poll interval", () => {
    expect(loadConfig({ HOME: home, MARKETPLACE: "kubernetes", KUBECONFIG: kubeconfig, KUBERNETES_CONTEXT: "test", MARKETPLACE_POLL_MS: "500" }).marketplace).toEqual({
      kind: "kubernetes",
      kubeconfigPath: kubeconfig,
      context: "test",
      pollMs: 500,
    });
  });

  it("spheron takes its key and the provider proxy (default Spheron's)", () => {
    expect(loadConfig({ HOME: home, MARKETPLACE: "spheron", SPHERON_PRIVATE_KEY: KEY }).marketplace).toEqual({ kind: "spheron", privateKey: KEY, providerProxyUrl: "https://provider-proxy.sphn.xyz", pollMs: undefined });
  });

  it.each([
    [{ MARKETPLACE: "akash" }, /^Invalid configuration: MARKETPLACE Invalid option: expected one of "local"\|"kubernetes"\|"spheron" \(got "akash"\)\.$/],
    [{ MARKETPLACE: "spheron" }, /SPHERON_PRIVATE_KEY is required with MARKETPLACE=spheron: set it to the 0x private key/],
    [{ MARKETPLACE: "spheron", SPHERON_PRIVATE_KEY: "0x1234" }, /SPHERON_PRIVATE_KEY must be a 0x-prefixed 32-byte private key\.$/],
    [{ SPHERON_PRIVATE_KEY: KEY }, /SPHERON_PRIVATE_KEY is set but MARKETPLACE is local: set MARKETPLACE=spheron too, or unset SPHERON_PRIVATE_KEY\./],
    [{ MARKETPLACE: "kubernetes" }, /KUBECONFIG is required with MARKETPLACE=kubernetes: there is no ~\/\.kube\/config and Skyloom is not running in a cluster\. Set KUBECONFIG/],
    [{ MARKETPLACE: "kubernetes", KUBECONFIG: "/nowhere/kubeconfig" }, /KUBECONFIG names no file \(got "\/nowhere\/kubeconfig"\)/],
    [{ KUBERNETES_CONTEXT: "prod" }, /KUBERNETES_CONTEXT is set but MARKETPLACE is local: set MARKETPLACE=kubernetes too/],
    [{ MARKETPLACE: "spheron", SPHERON_PRIVATE_KEY: KEY, MARKETPLACE_POLL_MS: "1" }, /MARKETPLACE_POLL_MS/],
  ])("refuses %j at start, naming the variable to set", (env, message) => {
    expect(() => loadConfig({ HOME: home, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ HOME: home, ...env })).toThrow(message);
  });

  it("never repeats the key in an error", () => {
    const bad = `0x${"zz".repeat(32)}`;
    expect(() => loadConfig({ HOME: home, MARKETPLACE: "spheron", SPHERON_PRIVATE_KEY: bad })).not.toThrow(bad);
  });

  it("KUBECONFIG alone leaves the local marketplace (kubectl users have it set for other tools)", () => {
    expect(loadConfig({ HOME: home, KUBECONFIG: kubeconfig }).marketplace).toEqual({ kind: "local" });
  });
});

describe("the host built with each marketplace", () => {
  it("local: the embedded matchmaker, and nodes may join", async () => {
    const backend = await createTestBackend({ env: { HOME: home } });
    try {
      expect(backend.services.marketplace).toBeInstanceOf(LocalMarketplace);
      expect(backend.services.market?.marketplace).toBe(backend.services.marketplace);
    } finally {
      await backend.close();
    }
  });

  describe("kubernetes", () => {
    const TOKEN = "kube-choice-token";
    let api: FakeKubeApi;
    let backend: TestBackend;

    beforeAll(async () => {
      api = await startFakeKubeApi(TOKEN);
      writeFileSync(kubeconfig, kubeconfigFor(api.url, TOKEN));
      backend = await createTestBackend({ env: { HOME: home, MARKETPLACE: "kubernetes", KUBECONFIG: kubeconfig, MARKETPLACE_POLL_MS: "50" } });
    });

    afterAll(async () => {
      await backend?.close();
      await api?.close();
    });

    it("serves endpoints from the cluster: no matchmaker, no embedded node, and a model endpoint is applied to the API server", async () => {
      expect(backend.services.marketplace).toBeInstanceOf(KubernetesMarketplace);
      expect(backend.services.market).toBeNull();
      const owner = await backend.signedUpClient("kube-owner@example.com");
      const before = api.requests.length;
      const created = await owner.trpc.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null });
      const sent = api.requests.slice(before).map((r) => `${r.method} ${r.path}`);
      expect(sent[0]).toBe("POST /api/v1/namespaces");
      expect(sent.some((s) => /^PATCH \/apis\/apps\/v1\/namespaces\/skyloom-[0-9a-f]{16}\/deployments\//.test(s))).toBe(true);
      expect(api.requests.slice(before).every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
      expect((await owner.trpc.endpoint.get({ id: created.id })).status).toMatch(/^(leased|ordering)$/);
    });

    it("a team's admin is told in words that nodes cannot join this Skyloom", async () => {
      const owner = await backend.signedUpClient("kube-admin@example.com");
      expect(await outcomeOf(owner.trpc.node.joinTokens.create({ name: "my pc" }))).toBe(
        "PRECONDITION_FAILED: This Skyloom uses MARKETPLACE=kubernetes: nodes cannot join it, so there is no join token to make. Only MARKETPLACE=local runs a marketplace that nodes join.",
      );
    });
  });

  describe("spheron (nothing leaves this machine)", () => {
    const originalLookup = dns.lookup;
    const lookups: string[] = [];
    const rpcMethods: string[] = [];

    beforeAll(() => {
      // Every lookup of a host that is not this machine fails before a packet is sent.
      dns.lookup = ((host: string, options: unknown, callback?: unknown) => {
        const cb = (typeof options === "function" ? options : callback) as (error: Error | null, ...rest: unknown[]) => void;
        if (host === "localhost" || host === "127.0.0.1") return (originalLookup as (...a: unknown[]) => void)(host, typeof options === "function" ? {} : options, cb);
        lookups.push(host);
        process.nextTick(() => cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host} (blocked by the test)`), { code: "ENOTFOUND" })));
      }) as typeof dns.lookup;
      // ethers' HTTP transport: recorded and refused here, so no request leaves.
      FetchRequest.registerGetUrl(async (req) => {
        const body = JSON.parse(new TextDecoder().decode(req.body ?? new Uint8Array())) as { method: string } | { method: string }[];
        for (const one of Array.isArray(body) ? body : [body]) rpcMethods.push(one.method);
        return { statusCode: 503, statusMessage: "blocked by the test", headers: {}, body: new Uint8Array() };
      });
    });

    afterAll(() => {
      dns.lookup = originalLookup;
      FetchRequest.registerGetUrl(FetchRequest.createGetUrlFunc());
    });

    it("the host runs Spheron's SDK with the configured key, and starts no matchmaker or node", async () => {
      const backend = await createTestBackend({ env: { HOME: home, MARKETPLACE: "spheron", SPHERON_PRIVATE_KEY: KEY, SPHERON_PROVIDER_PROXY_URL: "http://127.0.0.1:9" } });
      try {
        expect(backend.services.marketplace).toBeInstanceOf(SpheronMarketplace);
        expect(backend.services.market).toBeNull();
        const owner = await backend.signedUpClient("spheron-owner@example.com");
        // No inventory API in SDK 1.3.5: the nodes page is empty rather than showing the local nodes.
        expect(await owner.trpc.node.list()).toEqual([]);
        // The SDK reached for its hard-wired Base Sepolia host at once (refused here).
        await expect.poll(() => lookups.length + rpcMethods.length, { timeout: 10_000 }).toBeGreaterThan(0);
      } finally {
        await backend.close();
      }
    });
  });
});
