import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Ids readable in logs: a prefix says what it is (dep_, ord_, bid_, lse_, node_). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString("base64url")}`;
}

export function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Compares secrets by their hashes, in constant time whatever their lengths. */
export function sameSecret(given: string, expectedHash: string): boolean {
  const a = Buffer.from(sha256Hex(given), "hex");
  const b = Buffer.from(expectedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
