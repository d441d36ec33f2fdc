// Which Chromium the browser tests drive, and what to do when there is none: `npm test` (and
// `npm run test:e2e`) run this first, so a fresh Debian or Ubuntu machine either gets Chromium
// from apt-get (as root) or stops before any test with one line saying what to install.
// test/e2e/support/chromium.ts launches what `locateChromium` finds here, so both agree.
//
// Run directly (`node scripts/chromium.mjs`): makes sure Chromium is there; silent when it is.
import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where Debian, Ubuntu (apt and snap) and Google's packages put the browser, in order of preference. */
export const CHROMIUM_PATHS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/snap/bin/chromium",
  "/usr/bin/google-chrome-stable",
  "/usr/bin/google-chrome",
];
/** Names looked up on PATH after the fixed places (e.g. a /usr/local/bin/chromium). */
const CHROMIUM_NAMES = ["chromium", "chromium-browser"];

/** The commands that install Debian's chromium, as .ci/run used to. */
export const APT_INSTALL_CHROMIUM = [
  ["apt-get", "update", "-qq"],
  ["apt-get", "install", "-y", "-qq", "chromium"],
];

/**
 * @typedef {{ env: Record<string, string | undefined>, isExecutable: (path: string) => boolean }} Lookup
 * @typedef {Lookup & { uid: number | undefined, hasAptGet: boolean }} Machine
 * @typedef {{ action: "use", path: string, source: "CHROMIUM_PATH" | "found" }
 *   | { action: "install", commands: string[][] }
 *   | { action: "stop", message: string }} ChromiumDecision
 */

/** Every place to look, in order: the fixed paths, then chromium / chromium-browser on PATH. */
function candidates(env) {
  const onPath = (env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .flatMap((dir) => CHROMIUM_NAMES.map((name) => join(dir, name)));
  return [...new Set([...CHROMIUM_PATHS, ...onPath])];
}

/**
 * Finds Chromium without changing anything: CHROMIUM_PATH when set (it must point at an
 * executable), otherwise the first executable candidate.
 * @param {Lookup} lookup
 * @returns {{ path: string, source: "CHROMIUM_PATH" | "found" } | { problem: string } | undefined}
 */
export function locateChromium({ env, isExecutable }) {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    if (isExecutable(chosen)) return { path: chosen, source: "CHROMIUM_PATH" };
    return {
      problem: `CHROMIUM_PATH is ${chosen}, which is not an executable file: point CHROMIUM_PATH at Chromium (e.g. /usr/bin/chromium), or unset it to let npm test find or install one.`,
    };
  }
  const path = candidates(env).find((candidate) => isExecutable(candidate));
  return path ? { path, source: "found" } : undefined;
}

/**
 * What `npm test` does about the browser on this machine: use the one found, install Debian's
 * chromium (only as root with apt-get: nothing asks for a password), or stop with a message.
 * @param {Machine} machine
 * @returns {ChromiumDecision}
 */
export function decideChromium(machine) {
  const located = locateChromium(machine);
  if (located && "path" in located) return { action: "use", ...located };
  if (located) return { action: "stop", message: located.problem };
  if (machine.uid === 0 && machine.hasAptGet) return { action: "install", commands: APT_INSTALL_CHROMIUM };
  return { action: "stop", message: notFoundMessage(machine.hasAptGet) };
}

function notFoundMessage(hasAptGet) {
  const install = hasAptGet ? "run `sudo apt-get install chromium`" : "install Chromium with your system's package manager";
  return `The browser tests need Chromium, and none was found (${CHROMIUM_PATHS.join(", ")} or chromium on PATH): ${install}, or set CHROMIUM_PATH=/path/to/chromium, then run npm test again.`;
}

/** The browser tests cannot run here; the message says what to install. */
export class ChromiumMissingError extends Error {
  name = "ChromiumMissingError";
}

function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** @returns {Machine} */
function thisMachine() {
  const env = process.env;
  const hasAptGet = (env.PATH ?? "").split(delimiter).some((dir) => dir && isExecutableFile(join(dir, "apt-get")));
  return { env, isExecutable: isExecutableFile, uid: process.getuid?.(), hasAptGet };
}

/** The Chromium the browser tests launch; throws ChromiumMissingError with what to do instead. */
export function chromiumForTests() {
  const machine = thisMachine();
  const located = locateChromium(machine);
  if (located && "path" in located) return located.path;
  throw new ChromiumMissingError(located?.problem ?? notFoundMessage(machine.hasAptGet));
}

function runQuietly(command) {
  const [file, ...args] = command;
  const result = spawnSync(file, args, {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status === 0) return;
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
  const tail = output.trim().split("\n").slice(-15).join("\n");
  throw new ChromiumMissingError(
    `\`${command.join(" ")}\` failed (exit ${result.status ?? result.signal}):\n${tail}\nInstall Chromium yourself, or set CHROMIUM_PATH=/path/to/chromium, then run npm test again.`,
  );
}

/**
 * Makes sure the browser tests have a Chromium, installing Debian's when this machine allows
 * it, and returns its path; throws ChromiumMissingError (one clear message) otherwise.
 */
export function ensureChromium() {
  const decision = decideChromium(thisMachine());
  if (decision.action === "use") return decision.path;
  if (decision.action === "stop") throw new ChromiumMissingError(decision.message);
  console.log("No Chromium found for the browser tests: installing Debian's chromium with apt-get (about a minute, once)…");
  for (const command of decision.commands) runQuietly(command);
  const installed = locateChromium(thisMachine());
  if (installed && "path" in installed) return installed.path;
  throw new ChromiumMissingError(
    `apt-get installed chromium, but no Chromium is at ${CHROMIUM_PATHS.join(", ")} or on PATH: set CHROMIUM_PATH=/path/to/chromium, then run npm test again.`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureChromium();
  } catch (error) {
    if (!(error instanceof ChromiumMissingError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
