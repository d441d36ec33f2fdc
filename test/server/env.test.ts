import { statSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ConfigError, loadConfig } from "#server/env";
import { loadSecretKey } from "#server/services/secret-key";

test("embedded defaults need no variables", () => {
  const config = loadConfig({});
  expect(config.port).toBe(3000);
  expect(config.databasePath).toMatch(/data[/\\]skyloom\.db$/);
  expect(config.databaseConfigured).toBe(false);
  expect(config.seedDemo).toBe(true);
  expect(config.publicUrl).toBe("http://localhost:3000");
});

test("a bad value stops the start with a message naming the variable", () => {
  expect(() => loadConfig({ PORT: "eighty" })).toThrow(ConfigError);
  expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
  expect(() => loadConfig({ SKYLOOM_SECRET_KEY: "short" })).toThrow(/SKYLOOM_SECRET_KEY must be 64 hex characters/);
  expect(() => loadConfig({ PUBLIC_URL: "ftp://x" })).toThrow(/PUBLIC_URL/);
  expect(() => loadConfig({ SEED_DEMO: "maybe" })).toThrow(/SEED_DEMO/);
});

test("an operator's database turns the demo seed off", () => {
  const config = loadConfig({ DATABASE_URL: "file:/tmp/other.db" });
  expect(config).toMatchObject({ databaseConfigured: true, seedDemo: false, databasePath: "/tmp/other.db" });
  expect(loadConfig({ DATABASE_URL: "file:/tmp/other.db", SEED_DEMO: "true" }).seedDemo).toBe(true);
});

test("the secret key is generated once, readable by the owner only", () => {
  const dir = mkdtempSync(join(tmpdir(), "skyloom-key-"));
  const config = loadConfig({ DATA_DIR: dir });
  const first = loadSecretKey(config);
  expect(first).toHaveLength(32);
  expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
  expect(loadSecretKey(config).equals(first)).toBe(true);

  writeFileSync(join(dir, "secret.key"), "not a key");
  expect(() => loadSecretKey(config)).toThrow(/64-hex-character key/);
  expect(readFileSync(join(dir, "secret.key"), "utf8")).toBe("not a key");
});

test("SKYLOOM_SECRET_KEY replaces the key file", () => {
  const hex = "ab".repeat(32);
  expect(loadSecretKey(loadConfig({ SKYLOOM_SECRET_KEY: hex, DATA_DIR: "/nonexistent" })).toString("hex")).toBe(hex);
});
