import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConsoleErrorLog } from "./console-errors";

describe("the console.error log of a test file", () => {
  it("reports an error the test did not declare, and keeps it in the output", () => {
    const log = new ConsoleErrorLog();
    log.startTest();
    expect(log.record(["storage failed:", new Error("disk full")])).toBe(false);
    expect(log.endTest()).toMatch(/^unexpected console\.error .*\n {2}storage failed: Error: disk full/);
  });

  it("swallows a declared error, and reports a declared one that never came", () => {
    const log = new ConsoleErrorLog();
    log.startTest();
    log.expect(/upstream answered 502/);
    expect(log.record(["gateway: upstream answered 502"])).toBe(true);
    expect(log.endTest()).toBeNull();

    log.startTest();
    log.expect(/never logged/);
    expect(log.endTest()).toBe("expected a console.error matching /never logged/, and none was logged");
  });

  it("scopes a test's declaration to that test, and a declaration outside tests to the file", () => {
    const log = new ConsoleErrorLog();
    log.expect(/server log line/);
    log.startTest();
    log.expect(/only in the first test/);
    log.record(["only in the first test"]);
    log.record(["server log line"]);
    expect(log.endTest()).toBeNull();

    log.startTest();
    expect(log.record(["only in the first test"])).toBe(false);
    expect(log.endTest()).toMatch(/unexpected console\.error/);
    expect(log.endFile()).toBeNull();
  });

  it("reports what was logged outside any test when the file ends", () => {
    const log = new ConsoleErrorLog();
    log.record(["late callback failed"]);
    expect(log.endFile()).toMatch(/late callback failed/);
    expect(log.endFile()).toBeNull();
  });
});

describe("the setup file every test file runs", () => {
  it("fails a test that logs an undeclared error or misses a declared one, and only those", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const run = spawnSync(
      process.execPath,
      ["node_modules/vitest/vitest.mjs", "run", "--config", "test/fixtures/console-error/vitest.config.ts", "--reporter=verbose"],
      { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, timeout: 60_000 },
    );
    const output = run.stdout + run.stderr;
    expect(run.status, output).toBe(1);
    expect(output).toMatch(/× .*logs an error nobody declared/);
    expect(output).toMatch(/× .*declares an error that never comes/);
    expect(output).toMatch(/✓ .*logs the error it declares/);
    expect(output).toMatch(/✓ .*logs nothing/);
    expect(output).toContain("expected a console.error matching /never logged/, and none was logged");
    expect(output).not.toContain("gateway: upstream answered 502");
  }, 60_000);
});
