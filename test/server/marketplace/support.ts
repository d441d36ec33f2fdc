import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { compileGraph } from "#agents/compile/compile";
import type { GraphDoc } from "#agents/graph/index";
import { openDatabase, type DatabaseHandle } from "#db/client";
import { migrationsFolder, projectRoot } from "#db/root";
import { teams } from "#db/schema";
import { deploymentInputFromPlanGroup } from "#server/marketplace/from-plan";
import { listenMatchmaker, type MatchmakerServer } from "#server/marketplace/local/http";
import { LocalMarketplace } from "#server/marketplace/local/local-marketplace";
import { Matchmaker, type MatchmakerOptions } from "#server/marketplace/local/matchmaker";
import type { CreateDeploymentInput, DeploymentRef, LeaseEvent, Marketplace } from "#server/marketplace/marketplace";

export const JOIN_TOKEN = "test-join-token-0123456789";

export type Market = {
  db: DatabaseHandle;
  matchmaker: Matchmaker;
  marketplace: LocalMarketplace;
  server: MatchmakerServer;
  dbPath: string;
  stop(): Promise<void>;
};

/** A matchmaker on a fresh (or given) SQLite file, serving nodes on 127.0.0.1. */
export async function startMarket(options: Partial<MatchmakerOptions> & { dbPath?: string; port?: number } = {}): Promise<Market> {
  const dbPath = options.dbPath ?? join(mkdtempSync(join(tmpdir(), "skyloom-market-")), "market.db");
  const db = openDatabase(dbPath, migrationsFolder());
  db.db.insert(teams).values([{ id: "team-a", name: "A", createdAt: new Date() }, { id: "team-b", name: "B", createdAt: new Date() }]).onConflictDoNothing().run();
  const matchmaker = new Matchmaker({ joinTokens: [JOIN_TOKEN], heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1500, bidWindowMs: 3000, manifestTimeoutMs: 5000, ...options, db: db.db });
  matchmaker.start();
  const server = await listenMatchmaker(matchmaker, { port: options.port });
  return {
    db,
    matchmaker,
    marketplace: new LocalMarketplace(matchmaker),
    server,
    dbPath,
    async stop() {
      matchmaker.stop();
      await server.close();
      db.close();
    },
  };
}

export type NodeProcess = { child: ChildProcess; nodeId: string; name: string; stop(): Promise<void> };

/** Starts the real node program as its own process and waits for it to say it joined. */
export async function startNodeProcess(joinUrl: string, args: string[], options: { token?: string; onLine?: (line: string) => void } = {}): Promise<NodeProcess> {
  const root = projectRoot();
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "server/marketplace/node/main.ts"), "--join", joinUrl, "--token", options.token ?? JOIN_TOKEN, "--health-interval-ms", "200", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout! });
  const nodeId = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      options.onLine?.(line);
      const id = / joined as (node_\S+)/.exec(line)?.[1];
      if (id) resolve(id);
    });
    child.once("exit", (code) => reject(new Error(`node exited with ${code}: ${stderr}`)));
  });
  const name = args[args.indexOf("--name") + 1] ?? nodeId;
  return {
    child,
    nodeId,
    name,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Reads a deployment's events until `until` says stop; returns them all. Waits on events, not time. */
export async function eventsUntil(marketplace: Marketplace, ref: DeploymentRef, until: (e: LeaseEvent, all: LeaseEvent[]) => boolean, after = 0): Promise<LeaseEvent[]> {
  const abort = new AbortController();
  const seen: LeaseEvent[] = [];
  try {
    for await (const e of marketplace.events(ref, { after, signal: abort.signal })) {
      seen.push(e);
      if (until(e, seen)) return seen;
    }
  } finally {
    abort.abort();
  }
  return seen;
}

export function flowFixture(name: string): { name: string; graph: GraphDoc } {
  return JSON.parse(readFileSync(join(projectRoot(), "test/fixtures/compile", name, "flow.json"), "utf8")) as { name: string; graph: GraphDoc };
}

/** The compiler's output for a flow, as the deployments service will hand it over. */
export function deploymentFromFlow(flow: { name: string; graph: GraphDoc }, teamId = "team-a"): CreateDeploymentInput {
  const result = compileGraph(flow.graph, { name: flow.name }, { targets: ["spheron-icl"] });
  if (!result.ok || !result.plan) throw new Error(JSON.stringify(result.diagnostics));
  return deploymentInputFromPlanGroup(result.plan, 0, result.manifests["spheron-icl"]?.[0]?.content ?? "", { teamId });
}

/** The Qwen endpoint fixture with its model.endpoint config changed. */
export function endpointFlow(config: Record<string, unknown>, name = "Qwen endpoint"): { name: string; graph: GraphDoc } {
  const flow = flowFixture("gpu-llm-endpoint");
  const node = flow.graph.nodes[0] as { config: Record<string, unknown> };
  node.config = { ...node.config, ...config };
  return { ...flow, name };
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
