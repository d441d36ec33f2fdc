// `npm start`: checks Node and the port, builds Skyloom when there is no build or a source
// changed after it (server/build-freshness.mjs), then runs the bundled host. The checks come
// first so nobody waits for a build to learn the port is taken. `--use-existing-build` skips the
// freshness check (tests that start several hosts at once build beforehand, and must not race
// to rebuild the same folder).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { rebuildReasonAt } from "./build-freshness.mjs";
import { exitIfNodeTooOld, portProblem } from "./preflight.mjs";

exitIfNodeTooOld();

// Production unless the operator chose otherwise: libraries (Express, React, tRPC) then run
// their production code paths, which never put stack traces in answers. It is set before the
// host is imported, so modules that read it when they load see it too.
process.env.NODE_ENV ??= "production";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const host = join(root, "build", "host", "main.js");

const portTaken = await portProblem(process.env.PORT, process.env.HOST || "127.0.0.1");
if (portTaken) {
  console.error(portTaken);
  process.exit(1);
}

const rebuild = process.argv.includes("--use-existing-build") && existsSync(host) ? null : rebuildReasonAt(root);
if (rebuild) {
  console.log(`Building Skyloom: ${rebuild} (about half a minute)…`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error("The build failed; see the messages above.");
    process.exit(result.status ?? 1);
  }
}
await import(pathToFileURL(host).href);
