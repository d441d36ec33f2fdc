import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "#db/root";
import type { ServerCaller } from "#server/trpc/root";
import { createNetns, netnsUnavailable, removeStaleNetns, type Netns } from "../../support/netns";
import { startGatewayHost, type GatewayHost } from "../gateway/support";

/**
 * Bring your own node, over a real network: the real `skyloom node` program runs in its own
 * Linux network namespace, joined to this machine only by a veth pair with a private /24. It
 * joins the host's /market/v1 at the host's veth address with a team's join token, heartbeats,
 * wins the only order (the host starts no embedded node), serves the model at its own veth
 * address, and the gateway's /v1 reaches it there. A forged and a revoked token from inside the
 * namespace get 401. Needs root and iproute2 (CI has both); skipped with the reason otherwise.
 */
const unavailable = netnsUnavailable();
if (unavailable) console.info(`node-netns: skipped: ${unavailable}.`);

let ns: Netns | null = null;
let host: GatewayHost;
let owner: ServerCaller;
let joinUrl = "";
let joinToken = "";
let node: ChildProcess | null = null;

/** Runs `skyloom node` (bin/skyloom.mjs, as a person would) inside the namespace. */
function skyloomNodeInNamespace(args: string[]): ChildProcess {
  const root = projectRoot();
  return spawn(ns!.exec[0]!, [...ns!.exec.slice(1), process.execPath, join(root, "bin/skyloom.mjs"), "node", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
}

/** What `child` printed when it said it joined, or why it exited. */
function joined(child: ChildProcess): Promise<string> {
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      const id = / joined as (node_\S+)/.exec(line)?.[1];
      if (id) resolve(id);
    });
    child.once("exit", (code) => reject(new Error(`skyloom node exited with ${code}: ${stderr}`)));
  });
}

/** Runs a Node script inside the namespace (asynchronously: the host answering it is this process). */
function nodeScriptInNamespace(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(ns!.exec[0]!, [...ns!.exec.slice(1), process.execPath, "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

/** A JSON POST from inside the namespace, by the same Node that runs the node program: its status and body. */
async function postFromNamespace(url: string, body: unknown, authorization?: string): Promise<{ status: number; body: unknown }> {
  const headers = { "content-type": "application/json", ...(authorization ? { authorization } : {}) };
  const script = `fetch(${JSON.stringify(url)}, { method: "POST", headers: ${JSON.stringify(headers)}, body: ${JSON.stringify(JSON.stringify(body))} }).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.json() })), (e) => { console.error(e); process.exit(3); })`;
  const r = await nodeScriptInNamespace(script);
  if (r.code !== 0) throw new Error(`the request from the namespace failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { status: number; body: unknown };
}

const JOIN_BODY = { kind: "fizz", name: "forger", region: "eu-west", tier: "community3", inventory: { gpus: [], cpu: 1, memoryGi: 1, storageGi: 1 }, capabilities: { modelServing: null, containers: false } };

describe.skipIf(unavailable !== null)("a node in another network namespace", () => {
  beforeAll(async () => {
    removeStaleNetns();
    ns = createNetns();
    // The host listens on its veth address only: nothing reaches it from the namespace but the network.
    // A long bid window: on a busy machine the node in the namespace may take a while to answer.
    host = await startGatewayHost(
      { HOST: ns.hostAddress, SKYLOOM_MARKETPLACE_NODES: "0" },
      { marketplace: { nodes: [], matchmaker: { heartbeatIntervalMs: 200, heartbeatTimeoutMs: 10_000, bidWindowMs: 3000 } } },
    );
    joinUrl = `http://${ns.hostAddress}:${new URL(host.skyloom.url).port}/market/v1`;
    owner = await host.person("netns-owner@example.com");
    joinToken = (await owner.node.joinTokens.create({ name: "the box in the namespace" })).token;
  }, 60_000);

  afterAll(async () => {
    if (node && node.exitCode === null && node.signalCode === null) {
      const exited = new Promise((resolve) => node!.once("exit", resolve));
      node.kill("SIGTERM");
      await exited;
    }
    await host?.close();
    ns?.remove();
  });

  it("reaches the host at its veth address only: the namespace's 127.0.0.1 is its own", async () => {
    const port = new URL(host.skyloom.url).port;
    const probe = (h: string) => `fetch("http://${h}:${port}/healthz").then((r) => console.log(r.status), () => console.log("refused"))`;
    expect((await nodeScriptInNamespace(probe("127.0.0.1"))).stdout.trim()).toBe("refused");
    expect((await nodeScriptInNamespace(probe(ns!.hostAddress))).stdout.trim()).toBe("200");
  });

  it("a forged token and a revoked one get 401 from inside the namespace", async () => {
    const forged = await postFromNamespace(`${joinUrl}/join`, { ...JOIN_BODY, token: `nj_${"x".repeat(40)}` });
    expect(forged).toEqual({ status: 401, body: { error: "The join token is not valid for this marketplace; make one in Settings → Nodes.", code: "UNAUTHORIZED" } });
    const revokedToken = await owner.node.joinTokens.create({ name: "revoked at once" });
    await owner.node.joinTokens.revoke({ id: revokedToken.id });
    expect((await postFromNamespace(`${joinUrl}/join`, { ...JOIN_BODY, token: revokedToken.token })).status).toBe(401);
    // A made-up node identity on the work API is refused the same way.
    expect((await postFromNamespace(`${joinUrl}/heartbeat`, {}, "Bearer node_forged.secret")).status).toBe(401);
    // And the real program, given the forged token, says so and exits 1.
    const forger = skyloomNodeInNamespace(["--kind", "fizz", "--join", joinUrl, "--token", `nj_${"x".repeat(40)}`]);
    await expect(joined(forger)).rejects.toThrow(/exited with 1: skyloom node: The join token is not valid for this marketplace/);
    expect(await owner.node.list()).toEqual([]);
  }, 60_000);

  it("`skyloom node` in the namespace joins over the network and heartbeats", async () => {
    node = skyloomNodeInNamespace([
      "--kind", "fizz", "--join", joinUrl, "--token", joinToken,
      "--name", "ns-box", "--region", "eu-west", "--gpu", "rtx4090:1",
      "--listen-host", ns!.nsAddress, "--advertise-host", ns!.nsAddress, "--health-interval-ms", "200",
    ]);
    const nodeId = await joined(node);
    const [listed] = await owner.node.list();
    expect(listed).toMatchObject({ id: nodeId, name: "ns-box", kind: "fizz", region: "eu-west", status: "up", gpus: [{ model: "rtx4090", count: 1 }] });
    const firstBeat = listed!.lastHeartbeatAt ?? 0;
    await expect.poll(async () => (await owner.node.list())[0]?.lastHeartbeatAt ?? 0, { timeout: 10_000, interval: 100 }).toBeGreaterThan(firstBeat);
  }, 30_000);

  it("a model endpoint is leased to that node, served at its namespace address, and streams through /v1", async () => {
    const created = await owner.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null, mode: "fizz", gpu: "rtx4090" });
    await expect.poll(async () => { const e = await owner.endpoint.get({ id: created.id }); return e.status === "ready" ? "ready" : `${e.status}: ${e.message}`; }, { timeout: 40_000, interval: 100 }).toBe("ready");
    const endpoint = await owner.endpoint.get({ id: created.id });
    expect(endpoint.node).toMatchObject({ name: "ns-box", region: "eu-west" });
    const teamId = (await owner.team.list()).find((t) => t.active)!.id;
    const serving = await host.skyloom.services.endpoints.serving(teamId, created.id, { timeoutMs: 5_000 });
    expect(new URL(serving.baseUrl).hostname).toBe(ns!.nsAddress);

    const client: OpenAI = host.openai((await owner.apiKey.create({ name: "netns", kind: "secret" })).token);
    const stream = await client.chat.completions.create({ model: created.slug, stream: true, messages: [{ role: "user", content: "Hello from the other side" }] });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.length).toBeGreaterThan(0);

    await owner.endpoint.stop({ id: created.id });
    expect((await owner.endpoint.get({ id: created.id })).status).toBe("stopped");
  }, 60_000);

  it("stops on SIGTERM and exits 0", async () => {
    const exited = new Promise<number | null>((resolve) => node!.once("exit", (code) => resolve(code)));
    node!.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("a node off the host's machine that advertises 127.0.0.1 is refused: the host would reach its own loopback", async () => {
    node = skyloomNodeInNamespace([
      "--kind", "fizz", "--join", joinUrl, "--token", joinToken,
      "--name", "ns-liar", "--region", "eu-west", "--gpu", "rtx4090:1",
      "--listen-host", ns!.nsAddress, "--advertise-host", "127.0.0.1", "--health-interval-ms", "200",
    ]);
    await joined(node);
    const created = await owner.endpoint.create({ modelId: "Qwen/Qwen2.5-7B-Instruct", durationHours: 1, idleMinutes: null, mode: "fizz", gpu: "rtx4090" });
    const failedService = async () => (await owner.endpoint.events({ id: created.id })).events.find((e) => e.type === "ServiceFailed");
    await expect.poll(failedService, { timeout: 30_000, interval: 100 }).toBeDefined();
    expect(JSON.stringify(await failedService())).toContain("127.0.0.1 is a loopback address, and the node is not on the host's machine");
    expect((await owner.endpoint.get({ id: created.id })).status).not.toBe("ready");
    await owner.endpoint.stop({ id: created.id });
  }, 60_000);
});
