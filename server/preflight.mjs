// Checks `npm start` and `npm test` make before doing any work, so a user gets one clear line
// ("Skyloom needs Node.js 20.19 or newer…", "Port 3000 is in use…") instead of a stack trace.
// Plain JavaScript with no dependencies: it must run on whatever Node the user has.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The Node range package.json's "engines" asks for, e.g. ">=20.19". */
export function requiredNodeRange() {
  // Relative to this file in server/ (launch.mjs and the test runner import it unbundled).
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  return pkg.engines?.node ?? ">=0";
}

/** "20.19.1" or "v20.19.1" → [20, 19, 1]; missing parts are 0. */
function versionParts(version) {
  const parts = version.trim().replace(/^v/, "").split(".").map((part) => Number.parseInt(part, 10));
  return [0, 1, 2].map((i) => (Number.isFinite(parts[i]) ? parts[i] : 0));
}

function isAtLeast(found, minimum) {
  for (let i = 0; i < 3; i++) {
    if (found[i] !== minimum[i]) return found[i] > minimum[i];
  }
  return true;
}

/**
 * The message to stop with when `found` (process.version) is older than `range` (">=20.19",
 * the only form package.json uses), or null when it is new enough.
 * @param {string} found
 * @param {string} range
 * @returns {string | null}
 */
export function nodeVersionProblem(found, range) {
  const minimum = /^>=\s*v?(\d+(?:\.\d+){0,2})$/.exec(range.trim());
  if (!minimum) throw new Error(`package.json engines.node is "${range}"; the version check understands only ">=X.Y".`);
  if (isAtLeast(versionParts(found), versionParts(minimum[1]))) return null;
  const foundShown = found.replace(/^v/, "");
  return (
    `Skyloom needs Node.js ${minimum[1]} or newer; this is Node.js ${foundShown} (${process.execPath}). ` +
    `Install a newer Node.js (https://nodejs.org, or \`nvm install 20\`) and run the command again.`
  );
}

/** Stops the process with a clear line when this Node is too old for Skyloom. */
export function exitIfNodeTooOld() {
  const problem = nodeVersionProblem(process.version, requiredNodeRange());
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}

/** What to say when Skyloom cannot listen on its port because something else does. */
export function portInUseMessage(port) {
  const other = Number(port) === 3000 ? 3001 : 3000;
  return `Port ${port} is in use (another Skyloom, or another program); set PORT=… to use another, e.g. PORT=${other} npm start.`;
}

/**
 * Resolves with portInUseMessage(port) when nothing can listen on host:port because it is
 * taken, or null when it is free (or when the check does not apply: port 0 picks a free one,
 * and a malformed PORT is left for server/env.ts to explain).
 * @param {string | undefined} portText
 * @param {string} host
 * @returns {Promise<string | null>}
 */
export function portProblem(portText, host) {
  const port = Number(portText || 3000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return Promise.resolve(null);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error) => resolve(error.code === "EADDRINUSE" ? portInUseMessage(port) : null));
    probe.listen(port, host, () => probe.close(() => resolve(null)));
  });
}
