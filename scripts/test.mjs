// `npm test`: checks Node and makes sure the browser tests have a Chromium (installing Debian's
// as root, or stopping with what to install) before anything runs; then typecheck, lint and the
// unit tests in parallel, each one's output printed in one piece when it ends; then, when all
// three passed, the browser tests. Each step stays runnable alone (`npm run test:unit`, …).
import { spawn } from "node:child_process";
import { ChromiumMissingError, ensureChromium } from "./chromium.mjs";
import { exitIfNodeTooOld } from "../server/preflight.mjs";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const CHECKS = [
  { script: "typecheck", label: "typecheck" },
  { script: "lint", label: "lint" },
  { script: "test:unit", label: "unit tests" },
];

exitIfNodeTooOld();

let chromium;
try {
  chromium = ensureChromium();
} catch (error) {
  if (!(error instanceof ChromiumMissingError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Buffered output loses the terminal: ask for the colours a terminal would have shown, and
// for none in a log file (vitest colours any output unless told not to).
const colours = process.stdout.isTTY ? { FORCE_COLOR: "1" } : "FORCE_COLOR" in process.env ? {} : { NO_COLOR: "1" };
const env = { ...colours, ...process.env, CHROMIUM_PATH: chromium };

/** Runs `npm run <script>` with its output collected, and prints it under one header when it ends. */
function runBuffered({ script, label }) {
  const started = Date.now();
  const child = spawn(npm, ["run", "--silent", script], { env, stdio: ["ignore", "pipe", "pipe"] });
  const chunks = [];
  child.stdout.on("data", (chunk) => chunks.push(chunk));
  child.stderr.on("data", (chunk) => chunks.push(chunk));
  return new Promise((resolve) => {
    child.once("error", (error) => chunks.push(Buffer.from(`${error.message}\n`)));
    child.once("close", (code) => {
      const passed = code === 0;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const output = Buffer.concat(chunks).toString().trimEnd();
      console.log(`\n── ${label} (npm run ${script}) ${passed ? "passed" : `FAILED (exit ${code})`} in ${seconds} s ──`);
      if (output) console.log(output);
      resolve({ label, passed });
    });
  });
}

console.log(`npm test: ${CHECKS.map((c) => c.label).join(", ")} in parallel, then the browser tests (Chromium: ${chromium}).`);
const results = await Promise.all(CHECKS.map(runBuffered));
const failed = results.filter((result) => !result.passed).map((result) => result.label);
if (failed.length > 0) {
  console.error(`\nnpm test: ${failed.join(", ")} failed (output above); the browser tests did not run.`);
  process.exit(1);
}

console.log("\n── browser tests (npm run test:e2e) ──");
const e2e = spawn(npm, ["run", "--silent", "test:e2e"], { env, stdio: "inherit" });
const code = await new Promise((resolve) => e2e.once("close", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
console.log(code === 0 ? "\nnpm test: every check and test passed." : `\nnpm test: the browser tests failed (exit ${code}).`);
process.exit(code);
