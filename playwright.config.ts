import { defineConfig } from "@playwright/test";
import { CHROMIUM_LAUNCH_OPTIONS } from "./test/e2e/support/chromium";

// Browser tests drive the system's Chromium (no browser download; scripts/chromium.mjs finds it);
// the app is the real build, started by test/e2e/support/global-setup.ts on a free port with a
// temporary data folder.
export default defineConfig({
  testDir: "test/e2e",
  testMatch: "**/*.spec.ts",
  globalSetup: "./test/e2e/support/global-setup.ts",
  // Room for a machine kept busy by other work (tests wait for what a person would see, never
  // for time, so they pass there too, only slower). No retries: a test that needs one is a defect.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    headless: true,
    trace: "retain-on-failure",
    launchOptions: CHROMIUM_LAUNCH_OPTIONS,
  },
});
