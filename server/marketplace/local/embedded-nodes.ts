import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { NodeKind, NodeTier } from "../marketplace";

/**
 * The nodes `npm start` runs with no setup (issue 12): two provider nodes and three fizz nodes
 * with different regions, tiers and GPUs, each a separate process of the node program. This
 * list is the one file to edit to change them.
 */
export type EmbeddedNodeSpec = {
  name: string;
  kind: NodeKind;
  region: string;
  tier: NodeTier;
  /** MODEL:COUNT, as `skyloom node --gpu` takes them. */
  gpus: string[];
  cpu: number;
  memoryGi: number;
  pricePercent: number;
};

export const EMBEDDED_NODES: readonly EmbeddedNodeSpec[] = [
  { name: "provider-us-east", kind: "provider", region: "us-east", tier: "secured2", gpus: ["a100-80g:4", "l40s:4", "a10:8"], cpu: 256, memoryGi: 2048, pricePercent: 95 },
  { name: "provider-germany", kind: "provider", region: "germany", tier: "community1", gpus: ["h100:4", "a40:4", "l4:8"], cpu: 192, memoryGi: 1536, pricePercent: 90 },
  { name: "fizz-us-west-4090", kind: "fizz", region: "us-west", tier: "community3", gpus: ["rtx4090:1"], cpu: 16, memoryGi: 64, pricePercent: 80 },
  { name: "fizz-india-3090", kind: "fizz", region: "india", tier: "community4", gpus: ["rtx3090:2"], cpu: 24, memoryGi: 96, pricePercent: 75 },
  { name: "fizz-singapore-a10", kind: "fizz", region: "singapore", tier: "community4", gpus: ["a10:1", "t4:1"], cpu: 8, memoryGi: 32, pricePercent: 85 },
];

/** The node program's arguments for one embedded node. */
export function embeddedNodeArgs(spec: EmbeddedNodeSpec, options: { joinUrl: string; token: string; stateDir: string }): string[] {
  return [
    "--kind", spec.kind, "--join", options.joinUrl, "--token", options.token, "--name", spec.name, "--region", spec.region, "--tier", spec.tier,
    ...spec.gpus.flatMap((g) => ["--gpu", g]),
    "--cpu", String(spec.cpu), "--memory-gi", String(spec.memoryGi), "--price-percent", String(spec.pricePercent),
    "--state", join(options.stateDir, `${spec.name}.json`),
  ];
}

/**
 * How to start the node program: from TypeScript sources through tsx, or, from the bundled
 * host (build/host/main.js, where import.meta.url is the bundle's), its sibling bundle.
 */
export function nodeProgram(moduleUrl: string = import.meta.url): string[] {
  if (moduleUrl.endsWith(".ts")) return ["--import", "tsx", new URL("../node/main.ts", moduleUrl).pathname];
  return [new URL("./marketplace-node.js", moduleUrl).pathname];
}

export type EmbeddedNodes = { processes: ChildProcess[]; stop(): Promise<void> };

/** Starts every embedded node and resolves once each has joined. */
export async function startEmbeddedNodes(options: { joinUrl: string; token: string; stateDir: string; nodes?: readonly EmbeddedNodeSpec[] }): Promise<EmbeddedNodes> {
  const processes = (options.nodes ?? EMBEDDED_NODES).map((spec) =>
    spawn(process.execPath, [...nodeProgram(), ...embeddedNodeArgs(spec, options)], { stdio: ["ignore", "pipe", "inherit"] }),
  );
  const stop = () =>
    Promise.all(
      processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    ).then(() => undefined);
  try {
    await Promise.all(
      processes.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            createInterface({ input: child.stdout! }).on("line", (line) => {
              if (line.includes(" joined as ")) resolve();
            });
            child.once("exit", (code) => reject(new Error(`an embedded marketplace node exited with code ${code} before joining`)));
          }),
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { processes, stop };
}
