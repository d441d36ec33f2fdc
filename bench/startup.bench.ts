/**
 * Cold start of `npm start` with a build present, to the first 200 from /healthz, and the
 * host's resident memory at idle. Each run uses a fresh data folder (migrations, key, demo
 * seed included) and a second start on the same folder (the everyday restart).
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatStats } from "./support/stats";

const RUNS = 5;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no 200 from ${url}`);
}

/** Resident set size (MiB) of a process and all its descendants; `onlyHost` counts the node host alone. */
function rssOfTree(pid: number, onlyHost = false): number {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = execFileSync("pgrep", ["-P", String(pids[i])], { encoding: "utf8" }).trim();
      if (children) pids.push(...children.split("\n").map(Number));
    } catch {
      // no children
    }
  }
  let kb = 0;
  for (const p of pids) {
    if (onlyHost && !(existsSync(`/proc/${p}/cmdline`) && readFileSync(`/proc/${p}/cmdline`, "utf8").includes("launch.mjs"))) continue;
    const status = existsSync(`/proc/${p}/status`) ? readFileSync(`/proc/${p}/status`, "utf8") : "";
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kb / 1024;
}

async function startOnce(dataDir: string): Promise<{ ms: number; child: ChildProcess }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn("npm", ["start", "--silent"], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: "ignore",
    detached: true,
  });
  await waitForHealth(`http://127.0.0.1:${port}/healthz`, Date.now() + 30_000);
  return { ms: performance.now() - t0, child };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    process.kill(-(child.pid as number), "SIGTERM");
  });
}

if (!existsSync("build/host/main.js")) {
  console.error("Run `npm run build` first: this measures a start with a build present.");
  process.exit(1);
}

const fresh: number[] = [];
const restart: number[] = [];
const idleRss: number[] = [];
const hostRss: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(join(tmpdir(), "skyloom-bench-start-"));
  const first = await startOnce(dir);
  fresh.push(first.ms);
  await stop(first.child);
  const second = await startOnce(dir);
  restart.push(second.ms);
  await new Promise((r) => setTimeout(r, 2_000));
  idleRss.push(rssOfTree(second.child.pid as number));
  hostRss.push(rssOfTree(second.child.pid as number, true));
  await stop(second.child);
  rmSync(dir, { recursive: true, force: true });
}
console.log(formatStats("npm start → first 200 /healthz, new data folder", "ms", fresh, 0));
console.log(formatStats("npm start → first 200 /healthz, existing data  ", "ms", restart, 0));
console.log(formatStats("resident memory at idle, npm + node host        ", "MiB", idleRss, 1));
console.log(formatStats("resident memory at idle, node host alone        ", "MiB", hostRss, 1));
