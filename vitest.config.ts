import { defineConfig } from "vitest/config";

// Unit and integration tests only; browser tests live in test/e2e and run with Playwright.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: ["test/e2e/**", "node_modules/**"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    // A console.error a test did not declare fails it (test/support/console-errors.ts).
    setupFiles: ["test/support/fail-on-console-error.ts"],
  },
});
