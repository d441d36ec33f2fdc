// Whether `npm start` must build first: when there is no build, or when a source the build is
// made from changed after it (a `git pull`, an edit). Plain JavaScript with no dependencies,
// like preflight.mjs: launch.mjs imports it before anything is built.
import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** The folders and files `npm run build` reads, relative to the project root. */
export const BUILD_SOURCES = [
  "app",
  "agents",
  "server",
  "db",
  "public",
  "package.json",
  "package-lock.json",
  "vite.config.ts",
  "remix.config.js",
  "tsconfig.json",
];

/** Read at run time, not built in: their changes need no build. */
const NOT_BUILT = [/^db[/\\]migrations([/\\]|$)/, /^server[/\\](launch|dev)\.mjs$/];

/** What the build is: its output files, each with its modification time (null: missing). */
export const BUILD_OUTPUTS = [join("build", "server", "index.js"), join("build", "host", "main.js")];

/**
 * Why the build must be (re)made before starting, or null when it is up to date.
 * @param {Array<{ path: string; mtimeMs: number | null }>} outputs  the build's files
 * @param {{ path: string; mtimeMs: number } | null} newestSource  the most recently changed source
 * @returns {string | null}
 */
export function rebuildReason(outputs, newestSource) {
  const missing = outputs.find((output) => output.mtimeMs === null);
  if (missing) return `no build yet (${missing.path} is missing)`;
  const builtAt = Math.min(...outputs.map((output) => /** @type {number} */ (output.mtimeMs)));
  if (newestSource && newestSource.mtimeMs > builtAt) return `${newestSource.path} changed after the last build`;
  return null;
}

/**
 * The most recently modified file among BUILD_SOURCES under `root` (paths relative to it).
 * @param {string} root
 * @returns {{ path: string; mtimeMs: number } | null}
 */
export function newestSource(root) {
  /** @type {{ path: string; mtimeMs: number } | null} */
  let newest = null;
  const visit = (path) => {
    const rel = relative(root, path);
    if (NOT_BUILT.some((pattern) => pattern.test(rel))) return;
    let stats;
    try {
      stats = statSync(path);
    } catch {
      return; // a source the checkout does not have (e.g. no package-lock.json)
    }
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else if (!newest || stats.mtimeMs > newest.mtimeMs) {
      newest = { path: rel.split(sep).join("/"), mtimeMs: stats.mtimeMs };
    }
  };
  for (const source of BUILD_SOURCES) visit(join(root, source));
  return newest;
}

/**
 * Why `npm start` must build before it starts, or null.
 * @param {string} root
 * @returns {string | null}
 */
export function rebuildReasonAt(root) {
  const outputs = BUILD_OUTPUTS.map((path) => {
    try {
      return { path, mtimeMs: statSync(join(root, path)).mtimeMs };
    } catch {
      return { path, mtimeMs: null };
    }
  });
  return rebuildReason(outputs, newestSource(root));
}
