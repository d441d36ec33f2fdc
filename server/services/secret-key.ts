import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { ServerConfig } from "../env";

/**
 * The key that encrypts credentials: SKYLOOM_SECRET_KEY if the operator set one, otherwise a
 * key generated once into <DATA_DIR>/secret.key, readable by the owner only.
 */
export function loadSecretKey(config: ServerConfig): Buffer {
  if (config.secretKeyHex) return Buffer.from(config.secretKeyHex, "hex");
  const file = join(config.dataDir, "secret.key");
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const hex = readFileSync(file, "utf8").trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) {
    throw new Error(`${file} does not hold a 64-hex-character key; restore it or set SKYLOOM_SECRET_KEY.`);
  }
  return Buffer.from(hex, "hex");
}
