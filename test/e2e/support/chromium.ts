import { chromiumForTests } from "../../../scripts/chromium.mjs";

/**
 * How Skyloom's browser tests and benchmarks launch the system's Chromium: no browser download,
 * and no background traffic that this machine's closed network would refuse. The browser is
 * the one scripts/chromium.mjs finds (CHROMIUM_PATH, else where Debian and Ubuntu put it),
 * the same that `npm test` made sure of before the browser tests.
 */
export const CHROMIUM_LAUNCH_OPTIONS = {
  executablePath: chromiumForTests(),
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
  ],
};
