/** Short random ids for nodes and edges: URL-safe, unique within a document. */
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * Random bytes drawn in batches: one getRandomValues call serves many ids instead of one call
 * per id (the runtime makes an id per run). Each byte is used once, so ids stay as random as
 * before.
 */
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomBytes(count: number): Uint8Array {
  if (count > POOL_SIZE) return globalThis.crypto.getRandomValues(new Uint8Array(count));
  if (poolOffset + count > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return bytes;
}

export function newId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${out}`;
}
