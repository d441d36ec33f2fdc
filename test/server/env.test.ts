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

test("SMTP_URL must be an smtp(s) URL and a bad one is not repeated (it may hold a password)", () => {
  expect(loadConfig({}).smtpUrl).toBeUndefined();
  expect(loadConfig({ SMTP_URL: "smtp://mailer:pw@127.0.0.1:2525" }).smtpUrl).toBe("smtp://mailer:pw@127.0.0.1:2525");
  expect(loadConfig({ SMTP_URL: "smtps://mail.example.com" }).smtpUrl).toBe("smtps://mail.example.com");
  expect(() => loadConfig({ SMTP_URL: "https://mailer:hunter22@mail.example.com" })).toThrow(
    "Invalid configuration: SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587.",
  );
  expect(() => loadConfig({ SMTP_URL: "not a url" })).toThrow(/^Invalid configuration: SMTP_URL/);
});

test("SMTP_FROM defaults to no-reply at the public host and must be an address", () => {
  expect(loadConfig({ PUBLIC_URL: "https://skyloom.example.com" }).smtpFrom).toBe("Skyloom <no-reply@skyloom.example.com>");
  expect(loadConfig({ SMTP_FROM: "Ops <ops@example.com>" }).smtpFrom).toBe("Ops <ops@example.com>");
  expect(() => loadConfig({ SMTP_FROM: "Ops\nBcc: x@example.com" })).toThrow(/SMTP_FROM must be an address/);
});
