import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A loaded machine can take this long to start a Skyloom (seen: over 30 s at load 20 on 2 cores). */
const START_TIMEOUT_MS = 90_000;

export type StartedServer = {
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  log(): string;
  stop(): Promise<void>;
};

/**
 * Starts the built Skyloom host on a free port with a fresh data folder, exactly as `npm start`
 * runs it (server/launch.mjs, so in production mode unless NODE_ENV says otherwise), and
 * resolves once it prints its address. It uses the build there is (`npm run test:e2e` builds
 * first): hosts started side by side must not each rebuild the same folder.
 */
export async function startBuiltServer(
  /** Added to this process's environment; `undefined` removes a variable. */
  env: Record<string, string | undefined> = {},
  /** `script`: server/dev.mjs starts it as `npm run dev` does instead. */
  options: { dataDir?: string; script?: "server/launch.mjs" | "server/dev.mjs" } = {},
): Promise<StartedServer> {
  // A caller-provided folder survives stop(), so a test can restart on the same data.
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "skyloom-e2e-"));
  const child = spawn(process.execPath, options.script === "server/dev.mjs" ? [options.script] : ["server/launch.mjs", "--use-existing-build"], {
    cwd: join(import.meta.dirname, "..", "..", ".."),
    // Every browser test signs up from 127.0.0.1; the real limit (5 an hour) is tested in test/server.
    env: { ...process.env, PORT: "0", DATA_DIR: dataDir, SKYLOOM_SIGNUPS_PER_HOUR: "100000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let started = false;
  let stopping = false;
  // Kept (the last part) after the start too: when the server dies under a test, say why.
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.once("exit", (code, signal) => {
    if (started && !stopping) console.error(`Skyloom (${dataDir}) exited unexpectedly (code ${code}, signal ${signal}); its last output:\n${output}`);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Skyloom did not start in ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
    const onData = () => {
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        started = true;
        resolve(match[1].replace("localhost", "127.0.0.1"));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Skyloom exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    dataDir,
    process: child,
    log: () => output,
    stop: async () => {
      stopping = true;
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
